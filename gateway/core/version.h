/*
 * version.h — wharf's version, in one place: the program prints it
 * (cli/), the HTTP client sends it in its User-Agent (net/http.c).
 */
#ifndef WHARF_CORE_VERSION_H
#define WHARF_CORE_VERSION_H

#define WHARF_VERSION "0.1.0"

#endif

/*
 * netlibs.h — libcurl and libmicrohttpd, loaded when a network command
 * first needs them (netlibs.c), so that the commands that never touch the
 * network (edi validate, map run, status ...) do not pay for loading and
 * relocating them and the thirty libraries they bring (TLS, SSH, LDAP,
 * Kerberos, IDN ...) at every start.
 *
 * The rest of net/ calls libcurl and libmicrohttpd by their own names, as
 * before: netlibs.c defines those names, and each forwards to the library
 * it loads. Call gw_net_load_curl / gw_net_load_mhd before the first use,
 * where an error can still be reported; a name called without it loads the
 * library itself, or stops the program with a message if it cannot.
 */
#ifndef GW_NET_NETLIBS_H
#define GW_NET_NETLIBS_H

#include "edi/edi.h"

/* Loads libcurl once a process (later calls return the first result).
 * 0, or EDI_ECONFIG with the library's file name and the loader's reason:
 * an operator must install it. */
int gw_net_load_curl(struct edi_err *err);

/* The same for libmicrohttpd, the HTTP listener's library. */
int gw_net_load_mhd(struct edi_err *err);

#endif

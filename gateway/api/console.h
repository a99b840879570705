/*
 * console.h — the web console's static files (issue 17) on the HTTP
 * listener, beside the API that gives them their data:
 *
 *   GET /                  302 to /console/
 *   GET /console           302 to /console/
 *   GET /console/          index.html
 *   GET /console/NAME      a file of the console folder
 *
 * No login: the files hold no data (everything shown comes from /api/v1
 * with the session cookie). Only a file under the folder, by a plain name
 * ([A-Za-z0-9_.-] segments, none starting with '.', no percent-encoding at
 * all, so neither "..", an encoded slash nor a NUL gets through), of one of
 * the types below; a symbolic link that leads out of the folder is refused
 * as well. Every file is answered with Cache-Control: no-cache and a
 * Content-Security-Policy that allows only the console's own files (no
 * inline script or style, no framing).
 *
 * Where the folder is: the caller's word (cli/common.c gw_console_dir:
 * WHARF_CONSOLE, else PREFIX/share/wharf/console beside an installed
 * binary, else the checkout's console/).
 */
#ifndef WHARF_API_CONSOLE_H
#define WHARF_API_CONSOLE_H

#include "gateway/net/server.h"

#define GW_CONSOLE_PREFIX "/console/"
/* SPEC: issue 17 — the console runs only its own files: no inline script or style */
#define GW_CONSOLE_CSP "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
/* LIMIT: one static file's bytes */
#define GW_CONSOLE_FILE_MAX (4u << 20)

/* Puts the console's routes on a server not started yet; dir (borrowed,
 * it outlives the server) is the console folder, NULL or "": every
 * console path answers 404 saying the files are not installed. */
void gw_console_route(struct gw_server *s, const char *dir);

/* ---- pure pieces, for the tests ---- */

/* The Content-Type of name (the rest of a path after /console/, as sent)
 * when it is a name the console serves, else NULL: see the header comment
 * for the rules. */
const char *gw_console_type(const char *name);

#endif

/* From the command line's struct opts to each module's own configuration,
 * filled once at start-up: what the program name (tini, dumb-init) implies
 * is decided here. Pure: no I/O. */
#ifndef MINIT_CONFIG_H
#define MINIT_CONFIG_H

#include <stdbool.h>

#include "../spawn/privs.h"
#include "../spawn/spawn.h"
#include "options.h"
#include "supervise.h"

/* pid1: minit is PID 1 of its namespace. */
void config_supervisor(const struct opts *o, bool pid1, struct sup_cfg *c);

void config_privs(const struct opts *o, struct privs_req *r);

/* The parts of the child's set-up that options decide (the fds are minit's). */
void config_spawn(const struct opts *o, struct spawn_cfg *c);

/* Whether the child gets a notify socket: always under minit's own name;
 * under a peer's only when an option asks for what needs one (the peers
 * pass no NOTIFY_SOCKET). */
bool config_notify_socket(const struct opts *o);

/* minit moves to / (as dumb-init) unless it replaces tini, which stays. */
bool config_leaves_cwd(const struct opts *o);

/* The exit code for a bad option or value: the peers have no separate code
 * for a bad value (their 1), minit has 2. */
int config_usage_code(const struct opts *o, enum opts_result r);

#endif

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

#endif

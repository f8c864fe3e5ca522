/* minit --install DIR: the running binary copied to DIR/minit, mode 0755,
 * for an initContainer that puts minit into an emptyDir the app's
 * container runs it from (an image gets an init without a rebuild). The
 * copy is written to a temporary file in DIR and renamed over DIR/minit:
 * a reader sees the old file or the whole new one, never half of it. */
#ifndef MINIT_INSTALL_H
#define MINIT_INSTALL_H

#include <stddef.h>

#define INSTALL_NAME	"minit"
#define INSTALL_WHY_MAX 512 /* the one line said about it */

/* self: the running binary's path where /proc/self/exe cannot be read
 * (argv[0]; NULL: none). 0, or -errno with what failed in why. */
int install_self(const char *dir, const char *self, char *why, size_t len);

#endif

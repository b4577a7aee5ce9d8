/* tern - the parts of the tern command in their own files. */
#ifndef TERN_TOOLS_TERN_H
#define TERN_TOOLS_TERN_H

/* tern_user.c: "tern user ARGS" (add|passwd NAME [-s SCHEME], del NAME,
 * list). Returns the exit status, 2 for a usage error. */
int tern_cmd_user(char **args, int n);

#endif

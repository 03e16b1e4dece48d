/* Main.c - the main() of a compiled model executable (libdlnrt_main.a).
 *
 * Kept out of libdlnrt.a so that embedders linking the runtime into their own
 * application do not get a main() or an undefined dlnrt_default_model, which
 * dlnc emits only when it builds an executable.
 */
#include "dlnrt/dlnrt.h"

extern const dlnrt_model_abi dlnrt_default_model;

int main(int argc, char **argv) {
  return dlnrt_cli_main(&dlnrt_default_model, argc, argv);
}

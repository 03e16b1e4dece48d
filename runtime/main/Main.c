/* Main.c - the main() of a compiled model executable (libdlnrt_main.a).
 *
 * Kept out of libdlnrt.a so that embedders linking the runtime into their own
 * application do not get a main() or undefined references to the dln_* symbols.
 */
#include "dlnrt/dlnrt.h"

extern const char dln_model_manifest[];
void dln_train_step(void **args);
void dln_eval_step(void **args);
void dln_loss_and_grad(void **args);

int main(int argc, char **argv) {
  dlnrt_model_abi abi = {dln_model_manifest, dln_train_step, dln_eval_step,
                         dln_loss_and_grad};
  return dlnrt_cli_main(&abi, argc, argv);
}

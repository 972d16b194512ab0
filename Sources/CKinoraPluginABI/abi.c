/* The plugin ABI is header-only; SwiftPM needs one source file per C target.
 * This constant lets a loaded library report the ABI it was compiled against. */
#include "kinora_plugin.h"

const uint32_t kinora_plugin_abi_header_version = KINORA_PLUGIN_ABI_VERSION;

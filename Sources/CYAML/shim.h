#ifndef RUNJOB_CYAML_SHIM_H
#define RUNJOB_CYAML_SHIM_H
#include <yaml.h>
#endif

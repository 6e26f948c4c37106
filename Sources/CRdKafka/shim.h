#ifndef COINFLUX_CRDKAFKA_SHIM_H
#define COINFLUX_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#endif

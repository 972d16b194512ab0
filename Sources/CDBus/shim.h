/* Thin shim: lets Swift import libdbus through pkg-config flags. */
#include <dbus/dbus.h>

/* Thin shim: lets Swift import <gst/gst.h> through pkg-config flags. */
#include <gst/gst.h>

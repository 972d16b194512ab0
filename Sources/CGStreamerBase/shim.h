/* Thin shim: lets Swift import <gst/base/base.h> through pkg-config flags. */
#include <gst/gst.h>
#include <gst/base/base.h>

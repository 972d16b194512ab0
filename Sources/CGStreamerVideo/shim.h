/* Thin shim: lets Swift import <gst/video/video.h> through pkg-config flags. */
#include <gst/gst.h>
#include <gst/video/video.h>

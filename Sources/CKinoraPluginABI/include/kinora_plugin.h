/*
 * kinora_plugin.h — the Kinora plugin ABI.
 *
 * A Kinora plugin is a shared library that exports one C function,
 * KINORA_PLUGIN_ENTRY_SYMBOL, returning a pointer to a static
 * KinoraPluginDescriptor. Everything the host knows about a plugin comes from
 * that descriptor: it is a plain C table (ABI version first) so that a plugin
 * built by another compiler, or another Swift build, still loads. Swift
 * plugin authors normally do not touch this header: the KinoraPluginSDK
 * module builds the table from a Swift type.
 *
 * Rules of the ABI:
 *  - abi_version is the first field and must equal KINORA_PLUGIN_ABI_VERSION;
 *    the host refuses anything else before reading further.
 *  - All strings are UTF-8, NUL-terminated, and owned by the plugin for the
 *    lifetime of the loaded library.
 *  - Callbacks (progress, log) are passed per call, never registered
 *    process-wide: one process may run several jobs of one plugin at once.
 *  - cancel() may be called from any thread while produce() runs on another;
 *    produce() then returns KINORA_STATUS_CANCELLED soon.
 *  - prepare() (optional) runs before any instance is created: it loads
 *    what instances share (model weights) and says early, with a message,
 *    when the plugin cannot run here (a missing model). Elements call it
 *    when they start, so a missing model fails the state change cleanly.
 */
#ifndef KINORA_PLUGIN_H
#define KINORA_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of the structures below. */
#define KINORA_PLUGIN_ABI_VERSION 2u
/* The one symbol a plugin library exports. */
#define KINORA_PLUGIN_ENTRY_SYMBOL "kinora_plugin_entry"
/* The parameter name configure() uses for a new prompt (never in a schema). */
#define KINORA_PROMPT_PARAM "prompt"

/* What the plugin's GStreamer element does with video. */
typedef enum {
    KINORA_KIND_SOURCE = 0,          /* nothing in, video out (text-to-video) */
    KINORA_KIND_IMAGE_TO_VIDEO = 1,  /* one still image in, video out */
    KINORA_KIND_VIDEO_TO_VIDEO = 2   /* video in, video out */
} KinoraElementKind;

typedef enum {
    KINORA_PARAM_BOOL = 0,
    KINORA_PARAM_INT = 1,     /* int64 with an inclusive range */
    KINORA_PARAM_DOUBLE = 2,  /* double with an inclusive range */
    KINORA_PARAM_STRING = 3   /* UTF-8 text; max_length bounds its byte count */
} KinoraParamType;

typedef enum {
    KINORA_STATUS_OK = 0,
    KINORA_STATUS_FAILED = 1,
    KINORA_STATUS_CANCELLED = 2,
    KINORA_STATUS_INVALID_ARGUMENT = 3
} KinoraStatus;

typedef enum {
    KINORA_LOG_DEBUG = 0,
    KINORA_LOG_INFO = 1,
    KINORA_LOG_WARNING = 2,
    KINORA_LOG_ERROR = 3
} KinoraLogLevel;

/* One declared parameter. Only the fields of its type are read. */
typedef struct {
    const char *name;         /* [a-z][a-z0-9-]*, unique within the plugin */
    const char *nick;         /* short human name (GObject nick) */
    const char *description;  /* one sentence (GObject blurb, --help text) */
    int32_t type;             /* KinoraParamType */
    int32_t mutable_while_playing; /* 1: may change while a stream runs */
    int32_t bool_default;
    int64_t int_minimum, int_maximum, int_default;
    double double_minimum, double_maximum, double_default;
    const char *string_default;
    int64_t string_max_length;
} KinoraParamSpec;

/* A value for one parameter, by name. */
typedef struct {
    const char *name;
    int32_t type;             /* KinoraParamType; must match the spec */
    int32_t bool_value;
    int64_t int_value;
    double double_value;
    const char *string_value; /* borrowed for the duration of the call */
} KinoraParamValue;

/* Where a call reports progress and log lines. Valid for one call only. */
typedef struct {
    void *context;
    void (*progress)(void *context, double fraction_of_this_call);
    void (*log)(void *context, int32_t level, const char *message);
} KinoraCallbacks;

/* The stream an instance produces, fixed at create(). */
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t fps_numerator;
    uint32_t fps_denominator;
    uint64_t total_frames;     /* 0: unbounded (a live stream) */
    const char *prompt;        /* may be empty, never NULL */
    /* Folders to look for model weights in, most specific first, separated
     * by ':' ($KINORA_MODEL_PATH, <prefix>/share/kinora/models, the source
     * tree's Models/ in a build). May be empty, never NULL. */
    const char *model_path;
} KinoraStreamInfo;

/*
 * A block of frames to fill. Frames are packed RGB, 3 bytes a pixel,
 * `stride` bytes a row, `frame_size` bytes a frame. A generator fills
 * frame_count frames starting at stream frame first_frame. For the image and
 * video kinds, input points at input_count RGB frames of the same size (the
 * still image, or the incoming frames matching this block).
 *
 * Since ABI version 2:
 *  - a video-to-video plugin receives blocks of up to preferred_block_frames
 *    incoming frames (a diffusion chunk), one output frame per input frame,
 *    and a shorter block when the input ends;
 *  - after its input ended, the host calls produce() again with input ==
 *    NULL and input_count == 0 (end of input) for frames to add after the
 *    clip (clip extension), repeatedly, until a call makes none;
 *  - produce() may lower frame_count to the number of frames it made
 *    (the host pushes only those; 0 at end of input ends the stream).
 */
typedef struct {
    uint64_t first_frame;
    uint32_t frame_count;
    uint32_t stride;
    size_t frame_size;
    uint8_t *pixels;
    const uint8_t *input;
    uint32_t input_count;
} KinoraFrameBlock;

typedef struct KinoraPluginDescriptor {
    uint32_t abi_version;      /* KINORA_PLUGIN_ABI_VERSION: always first */
    uint32_t descriptor_size;  /* sizeof(KinoraPluginDescriptor) */

    const char *id;            /* stable id, e.g. "test-scene" */
    const char *element_name;  /* GStreamer element, e.g. "kinoratestscene" */
    const char *human_name;
    const char *description;
    const char *licence;       /* SPDX identifier */
    const char *version;
    int32_t kind;              /* KinoraElementKind */

    /* Frame sizes and rates the plugin can make, and what it prefers. */
    uint32_t min_width, max_width, default_width;
    uint32_t min_height, max_height, default_height;
    uint32_t max_fps, default_fps;
    /* How many frames one produce() call makes best (a diffusion chunk). */
    uint32_t preferred_block_frames;

    uint32_t param_count;
    const KinoraParamSpec *params;

    /* Opaque to the host; passed back to create() through the descriptor. */
    void *plugin_data;

    /* Optional (may be NULL): loads shared resources from model_path (as in
     * KinoraStreamInfo) or explains in error why the plugin cannot run.
     * Thread-safe and idempotent: every element start calls it. */
    int32_t (*prepare)(const struct KinoraPluginDescriptor *descriptor, const char *model_path,
                       char *error, size_t error_capacity);

    /* Returns an instance for one stream, with initial values for any subset
     * of params (the rest at their defaults), or NULL with a message written
     * to error. */
    void *(*create)(const struct KinoraPluginDescriptor *descriptor,
                    const KinoraStreamInfo *stream,
                    const KinoraParamValue *values, uint32_t count,
                    char *error, size_t error_capacity);
    /* Changes values while the instance exists (a subset of params, already
     * range-checked by the host; while playing only mutable ones). The
     * reserved name KINORA_PROMPT_PARAM (a string) carries a new prompt
     * for the blocks still to come; a plugin that cannot follow a prompt
     * change ignores it. */
    int32_t (*configure)(void *instance, const KinoraParamValue *values,
                         uint32_t count, char *error, size_t error_capacity);
    /* Fills block; returns a KinoraStatus. */
    int32_t (*produce)(void *instance, KinoraFrameBlock *block,
                       const KinoraCallbacks *callbacks,
                       char *error, size_t error_capacity);
    /* Asks a running produce() to stop; thread-safe, idempotent. */
    void (*cancel)(void *instance);
    void (*destroy)(void *instance);
} KinoraPluginDescriptor;

typedef const KinoraPluginDescriptor *(*KinoraPluginEntryFunction)(void);

#ifdef __cplusplus
}
#endif

#endif /* KINORA_PLUGIN_H */

"""Drives kinorad through the Python client, printing TAP-style lines
('ok - ...' / 'not ok - ...') that service.test.sh counts.

  service_client.py desktop WORKDIR     a desktop tool's session: every job method, decoded
  service_client.py errors WORKDIR      named errors for bad arguments and limits
  service_client.py fuzz SECONDS SEED   random and malformed arguments; the daemon must survive
  service_client.py load CLIENTS JOBS WORKDIR   concurrent clients; all accounted for, RSS flat
"""
import json
import os
import random
import subprocess
import sys
import threading
import time

from jeepney import DBusAddress, HeaderFields, new_method_call

MANAGER_PROPERTIES = DBusAddress("/org/kinora/Kinora1", bus_name="org.kinora.Kinora1",
                                 interface="org.freedesktop.DBus.Properties")
from kinora_client import FINAL, Kinora, KinoraError, looks_like_mp4, output_file

failures = 0


def check(description, condition, detail=""):
    global failures
    if condition:
        print(f"ok - {description}", flush=True)
    else:
        failures += 1
        print(f"not ok - {description} {detail}", flush=True)


def expect_error(description, name, fragment, function, *args):
    try:
        function(*args)
    except KinoraError as error:
        check(description, error.name == name and fragment in error.message, f"got {error.name}: {error.message}")
        return
    check(description, False, "no error")


def discover(path):
    result = subprocess.run(["gst-discoverer-1.0", path], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


def desktop(work):
    kinora = Kinora()
    (version,) = kinora.manager("Version")
    check("Version answers a version string", version.count(".") == 2, version)
    (limits,) = kinora.manager("Limits")
    limits = {key: value for key, (_, value) in limits.items()}
    check("Limits reports the configured max-jobs-per-caller", limits.get("max-jobs-per-caller") == 3, limits)
    (models,) = kinora.manager("GetModels")
    check("GetModels lists the model folder on KINORA_MODEL_PATH", ("tiny", os.environ["EXPECTED_MODEL"]) in models, models)
    address = DBusAddress("/org/kinora/Kinora1", bus_name="org.kinora.Kinora1", interface="org.freedesktop.DBus.Properties")
    (manager_props,) = kinora.call(address, "GetAll", "s", ("org.kinora.Kinora1.Manager",))
    manager_props = {key: value for key, (_, value) in manager_props.items()}
    check("the manager's properties: Version, MaxRunningJobs, RunningJobs, QueuedJobs",
          manager_props.get("Version") == version and manager_props.get("MaxRunningJobs") == 2
          and manager_props.get("RunningJobs") == 0 and manager_props.get("QueuedJobs") == 0, manager_props)
    (plugins,) = kinora.manager("ListPlugins")
    scene = next(p for p in plugins if p[0] == "test-scene")
    speed = next(spec for spec in scene[6] if spec[0] == "speed")
    check("ListPlugins gives each parameter's schema (type, range)", speed[1] == "double" and speed[5][1] == 64.0, speed)

    # Generate, followed through PropertiesChanged like a desktop tool.
    out = os.path.join(work, "py-generate.mp4")
    fd = output_file(out)
    job = kinora.submit("Generate", "test-scene", "a square", {"duration": ("d", 1.0), "width": ("i", 64),
                                                                 "height": ("i", 48)}, fd)
    os.close(fd)
    props = kinora.wait(job)
    check("Generate from Python ends done", props["State"] == "done", props)
    info = {key: value for key, (_, value) in props["OutputInfo"].items()}
    check("OutputInfo gives the bytes written", info.get("bytes") == os.path.getsize(out) > 0, info)
    check("the Python-made clip is a 1 s MP4", "Duration: 0:00:01.0" in discover(out))
    check("the finished job reports Frame = TotalFrames = 24", props["Frame"] == props["TotalFrames"] == 24, props)

    # Animate: a PNG still in, through test-scroll.
    still = os.path.join(work, "still.png")
    subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=1", "!", "video/x-raw,width=64,height=48",
                    "!", "pngenc", "!", "filesink", f"location={still}"], check=True, timeout=60)
    out = os.path.join(work, "py-animate.mp4")
    fd, image = output_file(out), os.open(still, os.O_RDONLY)
    job = kinora.submit("Animate", "test-scroll", "", {"duration": ("d", 0.5), "width": ("i", 64),
                                                       "height": ("i", 48), "fps": ("i", 12)}, fd, image)
    os.close(fd), os.close(image)
    props = kinora.wait(job)
    found = discover(out)
    check("Animate (test-scroll) makes a 0.5 s 64x48 MP4", props["State"] == "done" and "Duration: 0:00:00.500000000" in found
          and "Width: 64" in found, (props["State"], props["Error"], found[-300:]))

    # Restyle and Extend: a clip in, through test-invert; the input decides the length.
    clip = os.path.join(work, "input.mp4")
    subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=18", "!",
                    "video/x-raw,width=64,height=48,framerate=12/1", "!", "videoconvert", "!",
                    "video/x-raw,format=I420", "!", "x264enc", "!", "mp4mux", "!", "filesink", f"location={clip}"],
                   check=True, timeout=60)
    for method in ("Restyle", "Extend"):
        out = os.path.join(work, f"py-{method.lower()}.mp4")
        fd, source = output_file(out), os.open(clip, os.O_RDONLY)
        job = kinora.submit(method, "test-invert", "inverted", {"width": ("i", 64), "height": ("i", 48),
                                                                "fps": ("i", 12)}, fd, source)
        os.close(fd), os.close(source)
        props = kinora.wait(job)
        found = discover(out)
        check(f"{method} (test-invert) keeps the input's 1.5 s", props["State"] == "done"
              and "Duration: 0:00:01.500000000" in found, (props["State"], props["Error"], found[-300:]))

    # Extend through the diffusion plugin: the clip passes through, then `duration` seconds
    # more (cheap settings: the length, not the picture, is what is checked here).
    clip8 = os.path.join(work, "input-8fps.mp4")
    subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=12", "pattern=ball", "!",
                    "video/x-raw,width=64,height=64,framerate=8/1", "!", "videoconvert", "!",
                    "video/x-raw,format=I420", "!", "x264enc", "!", "mp4mux", "!", "filesink", f"location={clip8}"],
                   check=True, timeout=60)
    out = os.path.join(work, "py-extend-diffusion.mp4")
    fd, source = output_file(out), os.open(clip8, os.O_RDONLY)
    job = kinora.submit("Extend", "clip-extension", "", {"width": ("i", 64), "height": ("i", 64), "fps": ("i", 8),
                                                         "duration": ("d", 1.0), "steps": ("i", 2),
                                                         "guidance": ("d", 1.0)}, fd, source)
    os.close(fd), os.close(source)
    props = kinora.wait(job, timeout=180)
    found = discover(out)
    info = {key: value for key, (_, value) in props.get("OutputInfo", {}).items()}
    check("Extend (clip-extension, duration 1) makes the 1.5 s clip 2.5 s long", props["State"] == "done"
          and "Duration: 0:00:02.500000000" in found, (props["State"], props["Error"], found[-300:]))
    check("OutputInfo's duration is the 2.5 s written, not the 1 s asked", abs(info.get("duration", 0) - 2.5) < 1e-6, info)

    previews(kinora, work)
    manager_properties(kinora, work)

    # Storyboard: two shots, one continuous clip.
    out = os.path.join(work, "py-storyboard.mp4")
    fd = output_file(out)
    (job,) = kinora.manager("Storyboard", "sa(sds)a{sv}h", "test-scene",
                            [("first", 0.5, "cut"), ("second", 1.0, "cut")],
                            {"width": ("i", 64), "height": ("i", 48), "fps": ("i", 12)}, fd)
    os.close(fd)
    props = kinora.wait(job)
    found = discover(out)
    check("Storyboard of 0.5 s + 1 s shots makes one clip of about 1.5 s", props["State"] == "done"
          and "Duration: 0:00:01.500000000" in found, (props["State"], props["Error"], found[-300:]))
    check("the storyboard made 18 frames", props["Frame"] == 18, props["Frame"])

    # A storyboard of one shot is a clip of that shot.
    out = os.path.join(work, "py-storyboard-one.mp4")
    fd = output_file(out)
    (job,) = kinora.manager("Storyboard", "sa(sds)a{sv}h", "test-scene", [("only", 0.5, "")],
                            {"width": ("i", 64), "height": ("i", 48), "fps": ("i", 12)}, fd)
    os.close(fd)
    props = kinora.wait(job)
    check("a one-shot Storyboard makes its 0.5 s clip", props["State"] == "done"
          and "Duration: 0:00:00.500000000" in discover(out), (props["State"], props["Error"]))

    # 'continue': the next shot carries on from the last frames, one generator with a prompt
    # schedule; a plugin without one refuses it, naming the shot.
    expect_error("'continue' with a plugin without a prompt schedule: InvalidArgument naming the shot",
                 "org.kinora.Kinora1.Error.InvalidArgument",
                 "parameter 'shots[1].transition' is 'continue', but must be 'cut': plugin 'test-scene' has no prompt-schedule",
                 kinora.manager, "Storyboard", "sa(sds)a{sv}h", "test-scene", [("a", 0.5, "cut"), ("b", 0.5, "continue")],
                 {}, os.open("/dev/null", os.O_WRONLY))
    out = os.path.join(work, "py-storyboard-continue.mp4")
    fd = output_file(out)
    (job,) = kinora.manager("Storyboard", "sa(sds)a{sv}h", "text-to-video",
                            [("a red circle moving right on a black background", 1.5, "cut"),
                             ("a red circle moving up on a black background", 1.5, "continue")],
                            {"width": ("i", 64), "height": ("i", 64), "fps": ("i", 8), "steps": ("i", 2),
                             "guidance": ("d", 1.0)}, fd)
    os.close(fd)
    props = kinora.wait(job, timeout=180)
    check("a 'continue' storyboard through text-to-video is one 3 s scene", props["State"] == "done"
          and "Duration: 0:00:03.000000000" in discover(out), (props["State"], props["Error"], discover(out)[-300:]))

    # StartStream: live MPEG-TS into a pipe we read; SetPrompt while live; Cancel ends it.
    reader, writer = os.pipe()
    job = kinora.submit("StartStream", "test-scene", "live", {"width": ("i", 64), "height": ("i", 48),
                                                               "fps": ("i", 12)}, writer)
    os.close(writer)
    received = bytearray()
    deadline = time.monotonic() + 20
    while len(received) < 4 * 188 and time.monotonic() < deadline:
        received += os.read(reader, 65536)
    check("StartStream delivers MPEG-TS packets (sync byte 0x47) while live",
          len(received) >= 188 and received[0] == 0x47, len(received))
    kinora.call(kinora.job(job), "SetPrompt", "s", ("a new prompt",))
    check("SetPrompt on a live stream changes its Prompt", kinora.properties(job)["Prompt"] == "a new prompt")
    kinora.call(kinora.job(job), "Cancel")
    props = kinora.wait(job)
    check("a cancelled stream ends cancelled", props["State"] == "cancelled", props["State"])
    os.close(reader)
    expect_error("SetPrompt on a cancelled job: Cancelled", "org.kinora.Kinora1.Error.Cancelled", "was cancelled",
                 kinora.call, kinora.job(job), "SetPrompt", "s", ("late",))

    objects = kinora.managed_objects()
    check("ObjectManager lists the jobs with their properties",
          len(objects) >= 6 and all("org.kinora.Kinora1.Job" in ifaces for ifaces in objects.values()), len(objects))
    kinora.close()


def previews(kinora, work):
    """The Preview signal: only for a job that asks, at most one per interval, the frame's
    pixels scaled down to at most 64 on the long side."""
    from jeepney import MatchRule
    from jeepney.bus_messages import message_bus
    rule = MatchRule(type="signal", interface="org.kinora.Kinora1.Job", member="Preview")
    kinora.conn.send_and_get_reply(message_bus.AddMatch(rule))
    received = []
    with kinora.conn.filter(rule, bufsize=256) as queue:
        out = os.path.join(work, "py-preview.mp4")
        fd = output_file(out)
        plain = kinora.submit("Generate", "test-scene", "x", {"duration": ("d", 0.5), "width": ("i", 64),
                                                               "height": ("i", 48)}, fd)
        kinora.wait(plain)
        job = kinora.submit("Generate", "test-scene", "x", {
            "duration": ("d", 3.0), "width": ("i", 128), "height": ("i", 96), "fps": ("i", 12),
            "background": ("i", 0x102030), "square-colour": ("i", 0xF0E0D0), "frame-delay": ("i", 40),
            "preview-interval": ("d", 0.1)}, fd)
        os.close(fd)
        props = kinora.wait(job)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                received.append(kinora.conn.recv_until_filtered(queue, timeout=0.2))
            except TimeoutError:
                break
    check("a job started with preview-interval ends done", props["State"] == "done", props)
    mine = [m for m in received if m.header.fields.get(HeaderFields.path) == job]
    check("no Preview for a job that did not ask", not [m for m in received if m.header.fields.get(HeaderFields.path) == plain])
    # 36 frames over about 1.5 s at one preview per 0.1 s at most: several, fewer than frames.
    check("Preview arrives at most once per interval", 2 <= len(mine) < 36, len(mine))
    if mine:
        frame, width, height, rgb = mine[0].body
        check("Preview is the frame scaled to 64 on its long side, RGB", (width, height, len(rgb)) == (64, 48, 64 * 48 * 3),
              (width, height, len(rgb)))
        # The element may negotiate YUV: colours come back within a few levels.
        def near(pixel, colour):
            return all(abs(a - b) <= 6 for a, b in zip(pixel, colour))
        check("Preview's pixels are the frame's: the background", near(rgb[0:3], (0x10, 0x20, 0x30)), tuple(rgb[0:3]))
        middle = rgb[24 * 64 * 3:25 * 64 * 3]
        check("and the square", any(near(middle[i:i + 3], (0xF0, 0xE0, 0xD0)) for i in range(0, len(middle), 3)))
        frames = [m.body[0] for m in mine]
        check("Preview frame numbers increase", frames == sorted(set(frames)), frames)
    expect_error("preview-interval below 0.1 s: InvalidArgument with the range", "org.kinora.Kinora1.Error.InvalidArgument",
                 "'preview-interval' must be a double, 0 (no previews) or from 0.1 to 3600 seconds",
                 kinora.submit, "Generate", "test-scene", "x", {"preview-interval": ("d", 0.01)},
                 output_file(os.path.join(work, "refused-preview.mp4")))


def manager_properties(kinora, work):
    """The manager's job counts follow in PropertiesChanged; its properties are read-only."""
    from jeepney import MatchRule
    from jeepney.bus_messages import message_bus
    rule = MatchRule(type="signal", interface="org.freedesktop.DBus.Properties", member="PropertiesChanged",
                     path="/org/kinora/Kinora1")
    kinora.conn.send_and_get_reply(message_bus.AddMatch(rule))
    changes = []
    with kinora.conn.filter(rule, bufsize=256) as queue:
        fd = output_file(os.path.join(work, "py-counts.mp4"))
        job = kinora.submit("Generate", "test-scene", "x", {"duration": ("d", 0.5), "width": ("i", 64),
                                                             "height": ("i", 48)}, fd)
        os.close(fd)
        kinora.wait(job)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                message = kinora.conn.recv_until_filtered(queue, timeout=0.2)
            except TimeoutError:
                break
            changes.append({key: value for key, (_, value) in message.body[1].items()})
    running = [c.get("RunningJobs") for c in changes]
    check("the manager's PropertiesChanged shows RunningJobs going to 1 and back to 0",
          1 in running and running[-1] == 0, changes)
    expect_error("Properties.Set on the manager: PropertyReadOnly", "org.freedesktop.DBus.Error.PropertyReadOnly",
                 "property Version of org.kinora.Kinora1.Manager is read-only",
                 kinora.call, MANAGER_PROPERTIES, "Set", "ssv", ("org.kinora.Kinora1.Manager", "Version", ("s", "9")))
    expect_error("Properties.Set of no such property: UnknownProperty", "org.freedesktop.DBus.Error.UnknownProperty",
                 "no such property", kinora.call, MANAGER_PROPERTIES, "Set", "ssv",
                 ("org.kinora.Kinora1.Manager", "Nope", ("s", "9")))


def open_descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def descriptors_not_kept(kinora, work):
    """Descriptors sent where no parameter takes one (nested in options, extra arguments to
    Properties) are refused or ignored, and the daemon keeps none of them."""
    pid = int(os.environ["DAEMON_PID"])
    sink = os.path.join(work, "refused-fd.mp4")
    before = open_descriptors(pid)
    for _ in range(40):
        fd = output_file(sink)
        try:
            try:
                kinora.submit("Generate", "test-scene", "x", {"duration": ("h", fd)}, fd)
            except KinoraError:
                pass
            try:
                kinora.call(MANAGER_PROPERTIES, "GetAll", "sh", ("org.kinora.Kinora1.Manager", fd))
            except KinoraError:
                pass
        finally:
            os.close(fd)
    time.sleep(0.5)
    after = open_descriptors(pid)
    check("80 calls with stray descriptors leave the daemon's open descriptors as they were",
          after <= before, f"{before} before, {after} after")


def errors(work):
    kinora = Kinora()
    sink = os.path.join(work, "refused.mp4")
    small = {"duration": ("d", 0.2)}
    descriptors_not_kept(kinora, work)

    def generate(options, plugin="test-scene"):
        fd = output_file(sink)
        try:
            return kinora.submit("Generate", plugin, "x", options, fd)
        finally:
            os.close(fd)

    expect_error("duration over max-duration: LimitExceeded naming it", "org.kinora.Kinora1.Error.LimitExceeded",
                 "parameter 'duration' is 50.0 s; allowed: at most 30 s (max-duration)", generate, {"duration": ("d", 50.0)})
    expect_error("a frame over max-frame-pixels: LimitExceeded naming width x height",
                 "org.kinora.Kinora1.Error.LimitExceeded", "'width' x 'height' are 640x480 = 307200 pixels; allowed: at most 100000",
                 generate, {"width": ("i", 640), "height": ("i", 480)})
    expect_error("udp-port on a file job: InvalidArgument", "org.kinora.Kinora1.Error.InvalidArgument",
                 "parameter 'udp-port': only StartStream sends to the network", generate, {"udp-port": ("i", 5004)})
    expect_error("udp-port below 1024: InvalidArgument with the range", "org.kinora.Kinora1.Error.InvalidArgument",
                 "parameter 'udp-port' must be an integer from 1024 to 65535",
                 lambda: kinora.submit("StartStream", "test-scene", "x", {"udp-port": ("i", 80)}, os.open("/dev/null", os.O_WRONLY)))
    expect_error("an unknown plugin: NotFound", "org.kinora.Kinora1.Error.NotFound", "no plugin 'nope'", generate, small, "nope")
    expect_error("Animate with a source plugin: InvalidArgument", "org.kinora.Kinora1.Error.InvalidArgument",
                 "Animate needs a image-to-video plugin", lambda: kinora.submit("Animate", "test-scene", "", {}, os.open(sink, os.O_WRONLY), os.open(sink, os.O_RDONLY)))
    expect_error("an input descriptor not open for reading: InvalidArgument naming 'input'",
                 "org.kinora.Kinora1.Error.InvalidArgument", "parameter 'input': the file descriptor is not open for reading",
                 lambda: kinora.submit("Restyle", "test-invert", "", {}, os.open(sink, os.O_WRONLY), os.open(sink, os.O_WRONLY)))
    expect_error("a storyboard transition other than cut: InvalidArgument naming the shot",
                 "org.kinora.Kinora1.Error.InvalidArgument", "parameter 'shots[1].transition' is 'wipe'; allowed: 'cut'",
                 kinora.manager, "Storyboard", "sa(sds)a{sv}h", "test-scene", [("a", 1.0, "cut"), ("b", 1.0, "wipe")], {},
                 os.open(sink, os.O_WRONLY))
    expect_error("a shot duration out of range: InvalidArgument with the range",
                 "org.kinora.Kinora1.Error.InvalidArgument", "parameter 'shots[0].duration' is -1.0; allowed: a number of seconds from 0.05 to 600.0",
                 kinora.manager, "Storyboard", "sa(sds)a{sv}h", "test-scene", [("a", -1.0, "cut")], {}, os.open(sink, os.O_WRONLY))
    expect_error("no shots: InvalidArgument", "org.kinora.Kinora1.Error.InvalidArgument", "parameter 'shots' is empty",
                 kinora.manager, "Storyboard", "sa(sds)a{sv}h", "test-scene", [], {}, os.open(sink, os.O_WRONLY))
    expect_error("a wrong signature for Animate names the expected one", "org.kinora.Kinora1.Error.InvalidArgument",
                 "Animate takes (plugin s, prompt s, options a{sv}, input h, output h), not (ssa{sv}h)",
                 kinora.manager, "Animate", "ssa{sv}h", "test-scroll", "", {}, os.open(sink, os.O_WRONLY))
    expect_error("'detached' of the wrong type: InvalidArgument", "org.kinora.Kinora1.Error.InvalidArgument",
                 "parameter 'detached' must be of type boolean", generate, {"detached": ("s", "yes")})
    expect_error("Version with arguments: InvalidArgument", "org.kinora.Kinora1.Error.InvalidArgument",
                 "takes no arguments", kinora.manager, "Version", "s", "x")
    expect_error("a job that does not exist: NotFound", "org.kinora.Kinora1.Error.NotFound", "no job at",
                 kinora.call, kinora.job("/org/kinora/Kinora1/jobs/999999"), "Cancel")

    # Per-caller limit (3 in the test configuration): the 4th unfinished job is refused.
    slow = {"duration": ("d", 20.0), "fps": ("i", 10), "frame-delay": ("i", 100)}
    jobs = [generate(slow) for _ in range(3)]
    expect_error("a 4th unfinished job of one caller: LimitExceeded naming max-jobs-per-caller",
                 "org.kinora.Kinora1.Error.LimitExceeded", "max-jobs-per-caller is 3", generate, slow)
    other = Kinora()
    fd = output_file(os.path.join(work, "other.mp4"))
    other_job = other.submit("Generate", "test-scene", "x", small, fd)
    os.close(fd)
    check("another caller is not limited by the first one's jobs", other_job.startswith("/org/kinora/Kinora1/jobs/"))
    for job in jobs:
        kinora.call(kinora.job(job), "Cancel")
    states = [kinora.wait(job)["State"] for job in jobs]
    check("Cancel ends running and queued jobs as cancelled", states == ["cancelled"] * 3, states)
    check("the other caller's job then runs to done", other.wait(other_job)["State"] == "done")
    other.close()
    expect_error("SetPrompt on a finished job: WrongState", "org.kinora.Kinora1.Error.WrongState", "is done",
                 kinora.call, kinora.job(other_job), "SetPrompt", "s", ("x",))
    kinora.close()


# A real descriptor for fuzzed 'h' values (anywhere: top level, in variants, in options).
FUZZ_FD = os.open(os.devnull, os.O_RDWR)


def random_value(rng, depth=0):
    kind = rng.choice("sidbxtoahv" if depth < 2 else "sidbxt")
    if kind == "s":
        return "s", rng.choice(["", "test-scene", "x" * rng.randint(0, 5000), "\u00e9\u4e2d", "cut", "wipe"])
    if kind == "i":
        return "i", rng.choice([0, -1, 1, 2**31 - 1, -(2**31), rng.randint(-100, 5000)])
    if kind == "d":
        return "d", rng.choice([0.0, -1.0, 1e308, float("nan"), float("inf"), rng.uniform(-10, 700)])
    if kind == "b":
        return "b", rng.choice([True, False])
    if kind == "x":
        return "x", rng.choice([2**63 - 1, -(2**63), 0])
    if kind == "t":
        return "t", rng.choice([2**64 - 1, 0, 7])
    if kind == "o":
        return "o", rng.choice(["/", "/org/kinora/Kinora1/jobs/1", "/a/b"])
    if kind == "a":
        return "as", ["a", "b"]
    if kind == "h":
        return ("h", FUZZ_FD) if rng.random() < 0.5 else ("s", "not-an-fd")
    inner = random_value(rng, depth + 1)
    return "v", inner


OPTION_NAMES = ["duration", "width", "height", "fps", "speed", "frame-delay", "detached", "strength", "steps", "bogus", ""]
METHODS = ["Generate", "Animate", "Extend", "Restyle", "Storyboard", "StartStream", "ListPlugins", "GetModels",
           "Version", "Limits", "Nope"]


def fuzz(seconds, seed):
    rng = random.Random(seed)
    kinora = Kinora()
    devnull = os.open(os.devnull, os.O_RDWR)
    before_fds = open_descriptors(int(os.environ["DAEMON_PID"])) if "DAEMON_PID" in os.environ else None
    deadline = time.monotonic() + seconds
    calls = errors_seen = jobs = 0
    while time.monotonic() < deadline:
        method = rng.choice(METHODS)
        options = {}
        for _ in range(rng.randint(0, 4)):
            signature, value = random_value(rng)
            options[rng.choice(OPTION_NAMES)] = (signature, value) if signature != "v" else ("v", value)
        shape = rng.random()
        try:
            if shape > 0.85:
                # Any object, any interface, any member: unknown ones get named errors too.
                path = rng.choice(["/", "/org", "/org/kinora", "/org/kinora/Kinora1", "/org/kinora/Kinora1/jobs",
                                   "/org/kinora/Kinora1/jobs/1", "/org/kinora/Kinora1/jobs/0",
                                   "/org/kinora/Kinora1/jobs/99999999999999999999999", "/org/kinora/Kinora1/jobs/x"])
                interface = rng.choice(["org.kinora.Kinora1.Manager", "org.kinora.Kinora1.Job",
                                        "org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable",
                                        "org.freedesktop.DBus.ObjectManager", "org.example.Nope"])
                member = rng.choice(["Get", "GetAll", "Set", "Introspect", "Cancel", "SetPrompt", "GetManagedObjects",
                                     "Generate", "Nope"])
                values = [random_value(rng) for _ in range(rng.randint(0, 3))]
                signature = "".join(v[0] for v in values) or None
                address = DBusAddress(path, bus_name="org.kinora.Kinora1", interface=interface)
                kinora.call(address, member, signature, [v[1] for v in values], timeout=10)
                calls += 1
                continue
            if shape < 0.5 and method in ("Generate", "StartStream"):
                args = ("ssa{sv}h", rng.choice(["test-scene", "test-invert", "", "x"]), random_value(rng)[1] if False else "p", options, devnull)
            elif shape < 0.5 and method in ("Animate", "Extend", "Restyle"):
                args = ("ssa{sv}hh", rng.choice(["test-scroll", "test-invert", "test-scene"]), "p", options, devnull, devnull)
            elif shape < 0.5 and method == "Storyboard":
                shots = [(rng.choice(["a", ""]), rng.choice([0.1, -3.0, 1e9, float("nan")]), rng.choice(["cut", "fade", ""]))
                         for _ in range(rng.randint(0, 3))]
                args = ("sa(sds)a{sv}h", "test-scene", shots, options, devnull)
            else:
                # A random signature and body: the daemon must refuse it with a named error.
                values = [random_value(rng) for _ in range(rng.randint(0, 5))]
                signature = "".join(v[0] if v[0] != "v" else "v" for v in values)
                body = [v[1] if v[0] != "v" else v[1] for v in values]
                args = (signature or None, *body)
            reply = kinora.manager(method, args[0], *args[1:], timeout=10)
            if reply and isinstance(reply[0], str) and reply[0].startswith("/org/kinora/Kinora1/jobs/"):
                jobs += 1
                kinora.call(kinora.job(reply[0]), "Cancel")
        except KinoraError:
            errors_seen += 1
        except Exception as error:  # a value jeepney itself refuses to encode: not sent, not counted
            if "timed out" in str(error).lower() or isinstance(error, TimeoutError):
                check("the daemon answers every fuzzed call", False, f"{method}: {error}")
                break
            continue
        calls += 1
    (version,) = kinora.manager("Version")
    print(f"# fuzz: {calls} calls in {seconds} s (seed {seed}), {errors_seen} named errors, {jobs} jobs started and cancelled",
          flush=True)
    check(f"kinorad survives {calls} fuzzed calls and still answers", bool(version) and calls > 0)
    if "DAEMON_PID" in os.environ and before_fds is not None:
        # Every descriptor the calls carried is closed again once the cancelled jobs are gone.
        after_fds = open_descriptors(int(os.environ["DAEMON_PID"]))
        for _ in range(50):
            if after_fds <= before_fds + 4:
                break
            time.sleep(0.1)
            after_fds = open_descriptors(int(os.environ["DAEMON_PID"]))
        check("after the fuzzed calls (real descriptors among them) the daemon holds no more descriptors",
              after_fds <= before_fds + 4, f"{before_fds} before, {after_fds} after")
    kinora.close()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def load(clients, jobs_each, work):
    pid = int(os.environ["DAEMON_PID"])
    results = []
    lock = threading.Lock()
    samples = []

    def client(index):
        # Like a batch tool: up to 3 jobs outstanding, waiting for the oldest before the next.
        kinora = Kinora()
        outstanding = []

        def finish_oldest():
            job, out = outstanding.pop(0)
            props = kinora.wait(job, timeout=900)
            with lock:
                results.append((props["State"], out))

        for number in range(jobs_each):
            if len(outstanding) >= 3:
                finish_oldest()
            out = os.path.join(work, f"load-{index}-{number}.mp4")
            fd = output_file(out)
            job = kinora.submit("Generate", "test-scene", f"client {index} job {number}",
                                {"duration": ("d", 0.25), "width": ("i", 32), "height": ("i", 32), "fps": ("i", 8)}, fd)
            os.close(fd)
            outstanding.append((job, out))
        while outstanding:
            finish_oldest()
        kinora.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    total = clients * jobs_each
    next_report = total // 10
    while any(thread.is_alive() for thread in threads):
        samples.append((len(results), rss_kib(pid)))
        if len(results) >= next_report > 0:
            print(f"# load: {len(results)} of {total} jobs finished, daemon RSS {samples[-1][1]} KiB", flush=True)
            next_report += total // 10
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = clients * jobs_each
    done = sum(1 for state, _ in results if state == "done")
    valid = sum(1 for state, path in results if state == "done" and looks_like_mp4(path))
    # Warm-up: the first fifth of the jobs (GStreamer's registry, the encoders' first
    # allocations, libdbus buffers, the finished jobs kept), the first half in a small
    # run, where a fifth is too few jobs to fill those. After it RSS must stay within 10 %.
    after = rss_kib(pid)
    warm_up = total // 5 if total >= 1000 else total // 2
    warm = [rss for count, rss in samples if count >= warm_up] + [after]
    growth = (max(warm) - warm[0]) / warm[0] if warm[0] else 0
    print(f"# load: {clients} clients x {jobs_each} jobs = {total} in {elapsed:.1f} s ({total / elapsed:.2f} jobs/s); "
          f"{done} done, {valid} valid MP4s; RSS after warm-up {warm[0] if warm else 0} KiB, peak {max(warm) if warm else 0} KiB, "
          f"end {after} KiB, growth {growth * 100:.1f} %", flush=True)
    check(f"load: all {total} jobs accounted for", len(results) == total, len(results))
    check(f"load: all {total} jobs done with valid MP4 outputs", done == total and valid == total, (done, valid))
    if total >= 100:
        check("load: daemon RSS flat within 10 % after warm-up", growth <= 0.10, f"{growth * 100:.1f} %")
    else:
        print("# load: too few jobs to judge the RSS (100 or more needed)", flush=True)


def main():
    mode = sys.argv[1]
    if mode == "desktop":
        desktop(sys.argv[2])
    elif mode == "errors":
        errors(sys.argv[2])
    elif mode == "fuzz":
        fuzz(float(sys.argv[2]), int(sys.argv[3]))
    elif mode == "load":
        load(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    sys.exit(1 if failures else 0)


main()

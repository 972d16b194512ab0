import KinoraProtocol

/// Introspection XML, so generic tools (gdbus, d-feet) see the API. The same
/// text, with its comments, is installed as
/// `share/dbus-1/interfaces/org.kinora.Kinora1.xml` (`kinorad --print-interfaces`
/// makes it; a test checks the committed file matches).
enum Introspection {
    private static let header = """
        <!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
        """

    private static let standard = """
          <interface name="org.freedesktop.DBus.Introspectable">
            <method name="Introspect"><arg name="xml" type="s" direction="out"/></method>
          </interface>
          <interface name="org.freedesktop.DBus.Properties">
            <method name="Get"><arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/><arg name="value" type="v" direction="out"/></method>
            <method name="GetAll"><arg name="interface" type="s" direction="in"/><arg name="properties" type="a{sv}" direction="out"/></method>
            <!-- Every property is read-only: Set answers org.freedesktop.DBus.Error.PropertyReadOnly. -->
            <method name="Set"><arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/><arg name="value" type="v" direction="in"/></method>
            <signal name="PropertiesChanged"><arg name="interface" type="s"/><arg name="changed" type="a{sv}"/><arg name="invalidated" type="as"/></signal>
          </interface>
        """

    private static let objectManager = """
          <interface name="org.freedesktop.DBus.ObjectManager">
            <!-- Every job object (queued, running and the last finished ones) with its properties. -->
            <method name="GetManagedObjects"><arg name="objects" type="a{oa{sa{sv}}}" direction="out"/></method>
            <signal name="InterfacesAdded"><arg name="object" type="o"/><arg name="interfaces" type="a{sa{sv}}"/></signal>
            <signal name="InterfacesRemoved"><arg name="object" type="o"/><arg name="interfaces" type="as"/></signal>
          </interface>
        """

    /// The manager interface, documented. Errors (org.kinora.Kinora1.Error.*):
    /// InvalidArgument, NotFound, LimitExceeded, Cancelled, WrongState, NotAuthorized, Failed.
    static let managerInterface = """
          <!--
            org.kinora.Kinora1.Manager at /org/kinora/Kinora1.
            Files cross the bus only as file descriptors (type h): the daemon never opens a caller's path.
            Every job method returns at once with a job object (org.kinora.Kinora1.Job); follow it through
            PropertiesChanged and its Completed signal. A caller that leaves the bus has its jobs cancelled,
            unless it passed the option 'detached': <true> (for fire-and-forget callers such as gdbus call);
            the option 'preview-interval': <SECONDS> asks for the job's Preview signal. Errors, each naming the parameter and its allowed range:
              org.kinora.Kinora1.Error.InvalidArgument  unknown option, wrong type or signature, out of range,
                                                        a descriptor not open for reading/writing, a plugin of the wrong kind
              org.kinora.Kinora1.Error.NotFound         no such plugin or job
              org.kinora.Kinora1.Error.LimitExceeded    a service limit (see Limits) would be exceeded
              org.kinora.Kinora1.Error.Cancelled        the job was cancelled
              org.kinora.Kinora1.Error.WrongState       the job's state does not allow this
              org.kinora.Kinora1.Error.NotAuthorized    polkit refused the job (system bus: action org.kinora.Kinora1.generate)
              org.kinora.Kinora1.Error.Failed           the daemon could not set the job up
          -->
          <interface name="\(KinoraBusAPI.managerInterface)">
            <!-- Each loaded plugin: id, element, name, description, kind (source, image-to-video, video-to-video),
                 licence, its parameters and the job options as (name, type, description, default, minimum, maximum,
                 mutable-while-playing). -->
            <method name="ListPlugins"><arg name="plugins" type="a\(KinoraBusAPI.pluginEntrySignature)" direction="out"/></method>
            <!-- Model folders found on the model search path: (name, folder). -->
            <method name="GetModels"><arg name="models" type="a(ss)" direction="out"/></method>
            <!-- The daemon's version. -->
            <method name="Version"><arg name="version" type="s" direction="out"/></method>
            <!-- The service limits in force, by configuration-file key (max-duration, max-frame-pixels, ...). -->
            <method name="Limits"><arg name="limits" type="a{sv}" direction="out"/></method>
            <!-- Text to video with a source plugin: H.264 in MP4 written to output once complete.
                 options: width, height, fps, duration and the plugin's parameters. -->
            <method name="Generate">
              <arg name="plugin" type="s" direction="in"/>
              <arg name="prompt" type="s" direction="in"/>
              <arg name="options" type="a{sv}" direction="in"/>
              <arg name="output" type="h" direction="in"/>
              <arg name="job" type="o" direction="out"/>
            </method>
            <!-- A still image (any format GStreamer decodes, read from input) brought to life by an
                 image-to-video plugin; MP4 to output. -->
            <method name="Animate">
              <arg name="plugin" type="s" direction="in"/>
              <arg name="prompt" type="s" direction="in"/>
              <arg name="options" type="a{sv}" direction="in"/>
              <arg name="input" type="h" direction="in"/>
              <arg name="output" type="h" direction="in"/>
              <arg name="job" type="o" direction="out"/>
            </method>
            <!-- A clip (read from input) passed through, then continued by a video-to-video plugin for
                 options' duration seconds (default 2; counts against max-duration); MP4 to output. -->
            <method name="Extend">
              <arg name="plugin" type="s" direction="in"/>
              <arg name="prompt" type="s" direction="in"/>
              <arg name="options" type="a{sv}" direction="in"/>
              <arg name="input" type="h" direction="in"/>
              <arg name="output" type="h" direction="in"/>
              <arg name="job" type="o" direction="out"/>
            </method>
            <!-- A clip (read from input) restyled by a video-to-video plugin under prompt, as long as the
                 input (options' duration is ignored); MP4 to output. -->
            <method name="Restyle">
              <arg name="plugin" type="s" direction="in"/>
              <arg name="prompt" type="s" direction="in"/>
              <arg name="options" type="a{sv}" direction="in"/>
              <arg name="input" type="h" direction="in"/>
              <arg name="output" type="h" direction="in"/>
              <arg name="job" type="o" direction="out"/>
            </method>
            <!-- Shots (prompt, seconds, transition) rendered by one source plugin as one MP4. transition "cut"
                 (or ""): a new scene; "continue": the shot carries on from the previous one's last frames under its
                 own prompt (the plugin's prompt-schedule; plugins without one refuse it). -->
            <method name="Storyboard">
              <arg name="plugin" type="s" direction="in"/>
              <arg name="shots" type="a(sds)" direction="in"/>
              <arg name="options" type="a{sv}" direction="in"/>
              <arg name="output" type="h" direction="in"/>
              <arg name="job" type="o" direction="out"/>
            </method>
            <!-- A live stream (H.264 in MPEG-TS, at the stream's own pace) written to output as it is made,
                 until Cancel or duration (default 600 s). Job.SetPrompt changes the prompt at the next block.
                 With the option udp-port (1024 to 65535) it goes to udp://127.0.0.1:PORT instead (loopback only). -->
            <method name="StartStream">
              <arg name="plugin" type="s" direction="in"/>
              <arg name="prompt" type="s" direction="in"/>
              <arg name="options" type="a{sv}" direction="in"/>
              <arg name="output" type="h" direction="in"/>
              <arg name="job" type="o" direction="out"/>
            </method>
            <property name="Version" type="s" access="read"/>
            <property name="RunningJobs" type="u" access="read"/>
            <property name="QueuedJobs" type="u" access="read"/>
            <property name="MaxRunningJobs" type="u" access="read"/>
          </interface>
        """

    static let jobInterface = """
          <!--
            org.kinora.Kinora1.Job at /org/kinora/Kinora1/jobs/N, shaped like udisks2's jobs.
            State: queued, running, finishing (complete; handing the result over), done, failed, cancelled.
            A failed or cancelled file job writes nothing to its output descriptor.
          -->
          <interface name="\(KinoraBusAPI.jobInterface)">
            <!-- Stops the job (queued or running); its output gets nothing. -->
            <method name="Cancel"/>
            <!-- A new prompt for a running source job; it takes effect at the plugin's next block. -->
            <method name="SetPrompt"><arg name="prompt" type="s" direction="in"/></method>
            <!-- Emitted once, when the job ends: success, and why not. -->
            <signal name="Completed"><arg name="success" type="b"/><arg name="message" type="s"/></signal>
            <!-- Only for jobs started with the option 'preview-interval': <SECONDS> (0.1 to 3600): at most
                 one frame that often, as it leaves the generator, scaled down to at most 64 pixels on its
                 long side; rgb is width x height x 3 bytes, rows top to bottom. frame: frames made before it. -->
            <signal name="Preview"><arg name="frame" type="t"/><arg name="width" type="u"/><arg name="height" type="u"/><arg name="rgb" type="ay"/></signal>
            <property name="Operation" type="s" access="read"/>
            <property name="Plugin" type="s" access="read"/>
            <property name="Prompt" type="s" access="read"/>
            <property name="State" type="s" access="read"/>
            <!-- Fraction done, 0 to 1; valid once ProgressValid. -->
            <property name="Progress" type="d" access="read"/>
            <property name="ProgressValid" type="b" access="read"/>
            <!-- Frames made, of TotalFrames (0: decided by the input, or a stream). -->
            <property name="Frame" type="t" access="read"/>
            <property name="TotalFrames" type="t" access="read"/>
            <!-- The block (chunk) the plugin works on, from 0. -->
            <property name="Chunk" type="u" access="read"/>
            <!-- Microseconds since the epoch; 0 until known. -->
            <property name="StartTime" type="t" access="read"/>
            <property name="ExpectedEndTime" type="t" access="read"/>
            <property name="Cancelable" type="b" access="read"/>
            <property name="Error" type="s" access="read"/>
            <!-- When done: bytes, container, codec, width, height, fps, duration (seconds of video
                 written, measured from the frames made), partial. -->
            <property name="OutputInfo" type="a{sv}" access="read"/>
            <!-- The unique bus name of the caller that started the job. -->
            <property name="StartedBy" type="s" access="read"/>
          </interface>
        """

    /// The manager, with `jobs` as its child node (node names are single path elements).
    static let manager = "\(header)\n<node>\n\(standard)\n\(objectManager)\n\(managerInterface)\n  <node name=\"jobs\"/>\n</node>\n"

    /// `/org/kinora/Kinora1/jobs`: no interface of its own, one child node per job.
    static func jobsFolder(jobNumbers: [Int]) -> String {
        let children = jobNumbers.map { "  <node name=\"\($0)\"/>" }.joined(separator: "\n")
        return "\(header)\n<node>\n\(standard)\n\(children)\n</node>\n"
    }

    static let job = "\(header)\n<node>\n\(standard)\n\(jobInterface)\n</node>\n"

    /// The installed interface file: both Kinora interfaces, documented.
    static let interfaceFile = "\(header)\n<node>\n\(managerInterface)\n\(jobInterface)\n</node>\n"

    static func parent(child: String) -> String {
        "\(header)\n<node>\n\(standard)\n  <node name=\"\(child)\"/>\n</node>\n"
    }
}

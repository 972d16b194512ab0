import KinoraProtocol

/// Introspection XML, so generic tools (gdbus, d-feet) can see the API.
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
            <signal name="PropertiesChanged"><arg name="interface" type="s"/><arg name="changed" type="a{sv}"/><arg name="invalidated" type="as"/></signal>
          </interface>
        """

    static func manager(jobNumbers: [Int]) -> String {
        let children = jobNumbers.map { "  <node name=\"jobs/\($0)\"/>" }.joined(separator: "\n")
        return """
            \(header)
            <node>
            \(standard)
              <interface name="\(KinoraBusAPI.managerInterface)">
                <method name="ListPlugins"><arg name="plugins" type="a\(KinoraBusAPI.pluginEntrySignature)" direction="out"/></method>
                <method name="Generate">
                  <arg name="plugin" type="s" direction="in"/>
                  <arg name="prompt" type="s" direction="in"/>
                  <arg name="options" type="a{sv}" direction="in"/>
                  <arg name="output" type="h" direction="in"/>
                  <arg name="job" type="o" direction="out"/>
                </method>
                <property name="Version" type="s" access="read"/>
              </interface>
            \(children)
            </node>
            """
    }

    static let job = """
        \(header)
        <node>
        \(standard)
          <interface name="\(KinoraBusAPI.jobInterface)">
            <method name="Cancel"/>
            <property name="State" type="s" access="read"/>
            <property name="Progress" type="d" access="read"/>
            <property name="Error" type="s" access="read"/>
            <property name="Plugin" type="s" access="read"/>
          </interface>
        </node>
        """

    static func parent(child: String) -> String {
        "\(header)\n<node>\n\(standard)\n  <node name=\"\(child)\"/>\n</node>\n"
    }
}

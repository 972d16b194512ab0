import ArgumentParser
import KinoraPluginSDK
import KinoraProtocol

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the plugins kinorad has loaded, with their parameters.",
        discussion: """
            Every parameter is shown with its type, range and default; `kinora generate --param NAME=VALUE` \
            accepts exactly these, plus the job options (width, height, fps, duration).
            """)

    @OptionGroup var bus: BusOptions

    @Flag(help: "Print JSON (one array of plugin objects) instead of text.")
    var json = false

    func run() throws {
        let plugins = try DaemonClient.connect(bus).listPlugins()
        if json {
            Terminal.standardOutput(JSON.array(plugins.map(Self.json)) + "\n")
            return
        }
        if plugins.isEmpty { Terminal.standardOutput("kinorad has no plugins loaded\n") }
        for plugin in plugins {
            var text = "\(plugin.id)  (\(plugin.kind); GStreamer element \(plugin.elementName); licence \(plugin.licence))\n"
            text += "  \(plugin.description)\n"
            text += "  parameters:\n"
            text += plugin.parameters.map(Self.line).joined()
            text += "  job options:\n"
            text += plugin.jobOptions.map(Self.line).joined()
            Terminal.standardOutput(text + "\n")
        }
    }

    private static func line(_ spec: ParameterSpec) -> String {
        let name = spec.name.padding(to: 14)
        return "    \(name) \(spec.type.rangeDescription), default \(spec.type.defaultValue). \(spec.description)\n"
    }

    private static func json(_ plugin: PluginSummary) -> String {
        JSON.object([
            ("id", JSON.string(plugin.id)), ("element", JSON.string(plugin.elementName)),
            ("name", JSON.string(plugin.humanName)), ("description", JSON.string(plugin.description)),
            ("kind", JSON.string(plugin.kind)), ("licence", JSON.string(plugin.licence)),
            ("parameters", JSON.array(plugin.parameters.map(json))),
            ("jobOptions", JSON.array(plugin.jobOptions.map(json))),
        ])
    }

    private static func json(_ spec: ParameterSpec) -> String {
        var fields = [
            ("name", JSON.string(spec.name)), ("type", JSON.string(spec.type.tag.rawValue)),
            ("description", JSON.string(spec.description)),
            ("mutableWhilePlaying", spec.mutableWhilePlaying ? "true" : "false"),
        ]
        switch spec.type {
        case .bool(let value): fields.append(("default", value ? "true" : "false"))
        case .int(let low, let high, let value):
            fields += [("default", String(value)), ("minimum", String(low)), ("maximum", String(high))]
        case .double(let low, let high, let value):
            fields += [("default", String(value)), ("minimum", String(low)), ("maximum", String(high))]
        case .string(let value, let length): fields += [("default", JSON.string(value)), ("maxLength", String(length))]
        }
        return JSON.object(fields)
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

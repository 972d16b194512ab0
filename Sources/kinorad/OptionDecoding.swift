import KinoraDBus
import KinoraPluginSDK
import KinoraProtocol

/// `a{sv}` options from the bus into parameter values; the schema checks them next.
enum OptionDecoding {
    static func decode(_ entries: [(DBusValue, DBusValue)]) throws(DBusError) -> [String: ParameterValue] {
        var options: [String: ParameterValue] = [:]
        for (key, value) in entries {
            guard case .string(let name) = key else { continue }
            guard let parameter = ParameterValue(busValue: value) else {
                let inner = if case .variant(let inner) = value { inner } else { value }
                if case .uint64(let number) = inner {
                    throw DBusError(
                        name: KinoraBusError.invalidArgument,
                        message: "parameter '\(name)' is \(number), beyond any parameter's range")
                }
                throw DBusError(
                    name: KinoraBusError.invalidArgument,
                    message: "parameter '\(name)' has D-Bus type '\(inner.signature)', which no parameter takes")
            }
            options[name] = parameter
        }
        return options
    }
}

/// The service's own limits on a request that the plugin's schema allowed.
struct LimitCheck {
    let limits: ServiceLimits

    func check(_ request: JobRequest) throws(DBusError) {
        let longest = request.operation == .stream ? limits.maxStreamDuration : limits.maxDuration
        let durationName = request.operation == .stream ? "max-stream-duration" : "max-duration"
        // Restyle's length is its input's; every other job makes `duration` seconds (Extend:
        // after its input).
        if request.operation != .restyle, request.duration > longest {
            throw exceeded(
                "parameter 'duration' is \(request.duration) s; allowed: at most \(ServiceLimits.format(longest)) s (\(durationName))")
        }
        let pixels = request.width * request.height
        if pixels > Int64(limits.maxFramePixels) {
            throw exceeded(
                "parameters 'width' x 'height' are \(request.width)x\(request.height) = \(pixels) pixels; allowed: at most \(limits.maxFramePixels) (max-frame-pixels)")
        }
        if request.shots.count > limits.maxShots {
            throw exceeded("parameter 'shots' has \(request.shots.count) shots; allowed: at most \(limits.maxShots) (max-shots)")
        }
        if case .int(let steps)? = request.parameters["steps"], steps > Int64(limits.maxSteps) {
            throw exceeded("parameter 'steps' is \(steps); allowed: at most \(limits.maxSteps) (max-steps)")
        }
    }

    private func exceeded(_ message: String) -> DBusError {
        DBusError(name: KinoraBusError.limitExceeded, message: message)
    }
}

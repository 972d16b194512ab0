import CGStreamer
import KinoraPluginSDK

/// GObject property access shared by every Kinora element type: values
/// come in through the schema's GParamSpecs (GObject has already checked
/// type and numeric range) and are recorded in the element's state.
enum ElementProperties {
    /// Records a property; returns the accepted value, or nil (with an
    /// element error posted) when it was refused.
    static func set(
        _ state: ElementState, element: UnsafeMutablePointer<GstElement>, id: guint, value: UnsafePointer<GValue>
    ) -> (name: String, value: ParameterValue)? {
        guard let spec = state.classData.property(id: id) else { return nil }
        let parameter = PropertyBridge.read(value, as: spec)
        if case .string(let text) = parameter, case .string(_, let maxLength) = spec.type, text.utf8.count > maxLength {
            ElementMessages.postSettingsError(
                element, text: "Property '\(spec.name)' is \(text.utf8.count) bytes long; at most \(maxLength) are allowed.")
            return nil
        }
        if let refusal = state.set(spec, to: parameter) {
            ElementMessages.postSettingsError(element, text: refusal)
            return nil
        }
        return (spec.name, parameter)
    }

    static func get(_ state: ElementState, id: guint, into value: UnsafeMutablePointer<GValue>) {
        guard let spec = state.classData.property(id: id) else { return }
        PropertyBridge.write(state.value(of: spec), to: value)
    }
}

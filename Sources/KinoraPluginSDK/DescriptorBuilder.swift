import CKinoraPluginABI

#if canImport(Glibc)
    import Glibc
#endif

/// Turns a Swift plugin type into the C table of the plugin ABI.
enum DescriptorBuilder {
    static func build<P: KinoraPlugin>(for type: P.Type) -> UnsafeMutablePointer<KinoraPluginDescriptor> {
        let manifest = P.manifest
        let specs = UnsafeMutablePointer<KinoraParamSpec>.allocate(capacity: max(manifest.parameters.count, 1))
        for (index, parameter) in manifest.parameters.enumerated() {
            (specs + index).initialize(to: cSpec(parameter))
        }
        let factory = PluginFactory(type)
        var descriptor = KinoraPluginDescriptor()
        descriptor.abi_version = KINORA_PLUGIN_ABI_VERSION
        descriptor.descriptor_size = UInt32(MemoryLayout<KinoraPluginDescriptor>.size)
        descriptor.id = permanent(manifest.id)
        descriptor.element_name = permanent(manifest.elementName)
        descriptor.human_name = permanent(manifest.humanName)
        descriptor.description = permanent(manifest.description)
        descriptor.licence = permanent(manifest.licence)
        descriptor.version = permanent(manifest.version)
        descriptor.kind = manifest.kind.rawValue
        descriptor.min_width = manifest.frames.widths.lowerBound
        descriptor.max_width = manifest.frames.widths.upperBound
        descriptor.default_width = manifest.frames.defaultWidth
        descriptor.min_height = manifest.frames.heights.lowerBound
        descriptor.max_height = manifest.frames.heights.upperBound
        descriptor.default_height = manifest.frames.defaultHeight
        descriptor.max_fps = manifest.frames.maxFramesPerSecond
        descriptor.default_fps = manifest.frames.defaultFramesPerSecond
        descriptor.preferred_block_frames = manifest.preferredBlockFrames
        descriptor.param_count = UInt32(manifest.parameters.count)
        descriptor.params = UnsafePointer(specs)
        descriptor.plugin_data = Unmanaged.passRetained(factory).toOpaque()
        descriptor.prepare = prepareThunk
        descriptor.create = createThunk
        descriptor.configure = configureThunk
        descriptor.produce = produceThunk
        descriptor.cancel = { instance in
            guard let instance else { return }
            Unmanaged<InstanceBox>.fromOpaque(instance).takeUnretainedValue().cancelFlag.raise()
        }
        descriptor.destroy = { instance in
            guard let instance else { return }
            Unmanaged<InstanceBox>.fromOpaque(instance).release()
        }
        let pointer = UnsafeMutablePointer<KinoraPluginDescriptor>.allocate(capacity: 1)
        pointer.initialize(to: descriptor)
        return pointer
    }

    /// A C string that lives as long as the library (descriptors are never freed).
    private static func permanent(_ text: String) -> UnsafePointer<CChar>? {
        UnsafePointer(strdup(text))
    }

    private static func cSpec(_ parameter: ParameterSpec) -> KinoraParamSpec {
        var spec = KinoraParamSpec()
        spec.name = permanent(parameter.name)
        spec.nick = permanent(parameter.nick)
        spec.description = permanent(parameter.description)
        spec.mutable_while_playing = parameter.mutableWhilePlaying ? 1 : 0
        switch parameter.type {
        case .bool(let value):
            spec.type = Int32(KINORA_PARAM_BOOL.rawValue)
            spec.bool_default = value ? 1 : 0
        case .int(let minimum, let maximum, let value):
            spec.type = Int32(KINORA_PARAM_INT.rawValue)
            (spec.int_minimum, spec.int_maximum, spec.int_default) = (minimum, maximum, value)
        case .double(let minimum, let maximum, let value):
            spec.type = Int32(KINORA_PARAM_DOUBLE.rawValue)
            (spec.double_minimum, spec.double_maximum, spec.double_default) = (minimum, maximum, value)
        case .string(let value, let maxLength):
            spec.type = Int32(KINORA_PARAM_STRING.rawValue)
            spec.string_default = permanent(value)
            spec.string_max_length = Int64(maxLength)
        }
        return spec
    }
}

import Executor

/// Turns the ``ManifestSchema`` into a JSON Schema (draft 2020-12) that editors
/// and CI tools can use. It describes manifests as a YAML 1.2 reader sees them
/// (so `mode: 0700` may arrive as a number and `cwd: ~` as null).
public struct JSONSchemaGenerator: Sendable {
    /// The schema to describe.
    public let schema: ManifestSchema

    /// A generator over `schema`.
    public init(schema: ManifestSchema) {
        self.schema = schema
    }

    /// The JSON Schema document.
    public func document() -> JSONValue {
        let registry = schema.registry
        let general = schema.topLevel(providerKind: nil)
        var properties: [JSONValue.Member] = []
        for field in general.fields {
            switch field.name {
            case "machine", "machines":
                // Shaped per provider below; here only the container type.
                let base: JSONValue = field.name == "machine" ? .object(["type": .string("object")]) : .object(["type": .string("object")])
                properties.append(.init(field.name, withDescription(base, field)))
            default:
                properties.append(.init(field.name, describe(field)))
            }
        }
        var conditions: [JSONValue] = []
        for provider in registry.providers {
            let machineRef = JSONValue.object(["$ref": .string("#/$defs/machine-\(provider.kind)")])
            conditions.append(
                .object([
                    "if": .object([
                        "properties": .object([
                            "provider": .object([
                                "anyOf": .array([
                                    .object(["const": .string(provider.kind)]),
                                    .object(["type": .string("object"), "properties": .object(["kind": .object(["const": .string(provider.kind)])])]),
                                ])
                            ])
                        ])
                    ]),
                    "then": .object([
                        "properties": .object([
                            "machine": machineRef,
                            "machines": .object([
                                "type": .string("object"), "minProperties": .int(1), "propertyNames": namePattern,
                                "additionalProperties": machineRef,
                            ]),
                        ])
                    ]),
                ]))
        }
        var definitions: [JSONValue.Member] = []
        for provider in registry.providers {
            definitions.append(
                .init(
                    "machine-\(provider.kind)",
                    objectSchema(schema.machine(providerKind: provider.kind), doc: "A machine booted by the \(provider.kind) provider")))
        }
        let required = general.fields.filter(\.required).map { JSONValue.string($0.name) }
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string("https://runjob.dev/schemas/manifest-v1.json"),
            "title": .string("runjob manifest v1"),
            "description": .string("A runjob job: machines, credential profiles and sessions. See README for every field."),
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array(required),
            "properties": .object(properties),
            "patternProperties": .object(["^x-": .object(["description": .string("Ignored: a place for YAML anchors (x-defaults: &defaults …)")])]),
            "oneOf": .array([.object(["required": .array([.string("machine")])]), .object(["required": .array([.string("machines")])])]),
            "allOf": .array(conditions),
            "$defs": .object(definitions),
        ])
    }

    private var namePattern: JSONValue {
        .object(["pattern": .string("^[a-z][a-z0-9_-]{0,62}$")])
    }

    private func describe(_ field: OptionField) -> JSONValue {
        withDescription(type(field.type), field)
    }

    private func withDescription(_ value: JSONValue, _ field: OptionField) -> JSONValue {
        guard case .object(var members) = value else { return value }
        var doc = field.doc
        if let defaultDescription = field.defaultDescription { doc += " (default: \(defaultDescription))" }
        members.insert(.init("description", .string(doc)), at: 0)
        return .object(members)
    }

    private func objectSchema(_ options: OptionSchema, doc: String? = nil, extra: [JSONValue.Member] = [], requiredExtra: [String] = []) -> JSONValue
    {
        var members: [JSONValue.Member] = []
        if let doc { members.append(.init("description", .string(doc))) }
        members.append(.init("type", .string("object")))
        members.append(.init("additionalProperties", .bool(false)))
        let required = requiredExtra + options.fields.filter(\.required).map(\.name)
        if !required.isEmpty { members.append(.init("required", .array(required.map(JSONValue.string)))) }
        members.append(.init("properties", .object(extra + options.fields.map { .init($0.name, describe($0)) })))
        return .object(members)
    }

    private func type(_ type: OptionType) -> JSONValue {
        switch type {
        case .text(let format):
            switch format {
            case .any: return .object(["type": .array([.string("string"), .string("number"), .string("boolean")])])
            case .name: return .object(["type": .string("string"), "pattern": .string("^[a-z][a-z0-9_-]{0,62}$")])
            case .envName: return .object(["type": .string("string"), "pattern": .string("^[A-Za-z_][A-Za-z0-9_]*$")])
            case .url: return .object(["type": .string("string"), "pattern": .string("^https?://[^/\\s]")])
            case .labelKey: return .object(["type": .string("string"), "pattern": .string("^[A-Za-z0-9._/-]{1,63}$")])
            case .line: return .object(["type": .array([.string("string"), .string("number")]), "pattern": .string("^[^\\n]+$")])
            }
        case .path:
            return .object([
                "anyOf": .array([
                    .object(["type": .string("string"), "pattern": .string("^(~$|~/|/)")]),
                    .object(["type": .string("null"), "description": .string("`~` alone: the instance home")]),
                ])
            ])
        case .mode:
            return .object([
                "anyOf": .array([
                    .object(["type": .string("integer"), "minimum": .int(0), "maximum": .int(7777)]),
                    .object(["type": .string("string"), "pattern": .string("^(0[oO])?[0-7]{1,5}$")]),
                ])
            ])
        case .integer(let minimum, let maximum):
            var members: [JSONValue.Member] = [.init("type", .string("integer"))]
            if let minimum { members.append(.init("minimum", .int(minimum))) }
            if let maximum { members.append(.init("maximum", .int(maximum))) }
            return .object(members)
        case .boolean:
            return .object(["type": .string("boolean")])
        case .duration:
            return .object([
                "anyOf": .array([
                    .object(["type": .string("integer"), "minimum": .int(0)]),
                    .object(["type": .string("string"), "pattern": .string("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")]),
                ])
            ])
        case .choice(let choices):
            return .object(["enum": .array(choices.map(JSONValue.string))])
        case .list(let element):
            return .object(["type": .string("array"), "items": self.type(element)])
        case .map(let key, let value):
            return .object([
                "type": .string("object"), "propertyNames": keyPattern(key), "additionalProperties": self.type(value),
            ])
        case .object(let options):
            return objectSchema(options)
        case .json:
            return .object([:])
        case .command:
            let argument = JSONValue.object(["type": .array([.string("string"), .string("number"), .string("boolean")])])
            return .object([
                "anyOf": .array([
                    .object(["type": .string("string")]),
                    .object([
                        "type": .string("object"), "additionalProperties": .bool(false), "required": .array([.string("shell")]),
                        "properties": .object(["shell": .object(["type": .string("string")])]),
                    ]),
                    .object([
                        "type": .string("object"), "additionalProperties": .bool(false), "required": .array([.string("argv")]),
                        "properties": .object(["argv": .object(["type": .string("array"), "minItems": .int(1), "items": argument])]),
                    ]),
                ])
            ])
        case .variants(let variants):
            var options: [JSONValue] = []
            if variants.allowsShorthand {
                let names = variants.cases.filter { !$0.schema.fields.contains(where: \.required) }.map { JSONValue.string($0.name) }
                if !names.isEmpty { options.append(.object(["enum": .array(names)])) }
            }
            for variant in variants.cases {
                let discriminator = JSONValue.Member(
                    variants.discriminator, .object(["const": .string(variant.name), "description": .string(variant.doc)]))
                options.append(objectSchema(variant.schema, doc: variant.doc, extra: [discriminator], requiredExtra: [variants.discriminator]))
            }
            if let fallback = variants.fallback {
                options.append(objectSchema(fallback.schema, doc: fallback.doc))
            }
            return .object(["anyOf": .array(options)])
        }
    }

    private func keyPattern(_ format: TextFormat) -> JSONValue {
        switch format {
        case .name: namePattern
        case .envName: .object(["pattern": .string("^[A-Za-z_][A-Za-z0-9_]*$")])
        case .labelKey: .object(["pattern": .string("^(?!runjob\\.)[A-Za-z0-9._/-]{1,63}$")])
        case .any, .url, .line: .object([:])
        }
    }
}

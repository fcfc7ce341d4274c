extension ErrorCode {
    /// Codes of manifest reading and validation (exit code 2: nothing was executed).
    public enum Manifest {
        // Reading the file and limits.
        public static let fileUnreadable = ErrorCode(rawValue: "manifest.file_unreadable")
        public static let tooLarge = ErrorCode(rawValue: "manifest.too_large")
        public static let tooDeep = ErrorCode(rawValue: "manifest.too_deep")
        public static let tooManyAliases = ErrorCode(rawValue: "manifest.too_many_aliases")
        public static let tooManyKeys = ErrorCode(rawValue: "manifest.too_many_keys")
        public static let tooManyNodes = ErrorCode(rawValue: "manifest.too_many_nodes")
        public static let invalidUTF8 = ErrorCode(rawValue: "manifest.invalid_utf8")
        public static let nulByte = ErrorCode(rawValue: "manifest.nul_byte")
        // YAML structure.
        public static let yamlSyntax = ErrorCode(rawValue: "manifest.yaml_syntax")
        public static let emptyDocument = ErrorCode(rawValue: "manifest.empty_document")
        public static let multipleDocuments = ErrorCode(rawValue: "manifest.multiple_documents")
        public static let unknownTag = ErrorCode(rawValue: "manifest.unknown_tag")
        public static let duplicateKey = ErrorCode(rawValue: "manifest.duplicate_key")
        public static let undefinedAlias = ErrorCode(rawValue: "manifest.undefined_alias")
        public static let complexKey = ErrorCode(rawValue: "manifest.complex_key")
        public static let invalidMerge = ErrorCode(rawValue: "manifest.invalid_merge")
        public static let notAMapping = ErrorCode(rawValue: "manifest.not_a_mapping")
        // Schema.
        public static let unsupportedVersion = ErrorCode(rawValue: "manifest.unsupported_version")
        public static let unknownKey = ErrorCode(rawValue: "manifest.unknown_key")
        public static let missingField = ErrorCode(rawValue: "manifest.missing_field")
        public static let wrongType = ErrorCode(rawValue: "manifest.wrong_type")
        public static let invalidValue = ErrorCode(rawValue: "manifest.invalid_value")
        public static let invalidName = ErrorCode(rawValue: "manifest.invalid_name")
        public static let invalidMode = ErrorCode(rawValue: "manifest.invalid_mode")
        public static let invalidPath = ErrorCode(rawValue: "manifest.invalid_path")
        public static let relativePath = ErrorCode(rawValue: "manifest.relative_path")
        public static let pathLeavesHome = ErrorCode(rawValue: "manifest.path_leaves_home")
        public static let pathOutsideInstance = ErrorCode(rawValue: "manifest.path_outside_instance")
        public static let invalidEnvName = ErrorCode(rawValue: "manifest.invalid_env_name")
        public static let conflictingFields = ErrorCode(rawValue: "manifest.conflicting_fields")
        public static let handoverOnManyMachines = ErrorCode(rawValue: "manifest.handover_on_many_machines")
        public static let unknownKind = ErrorCode(rawValue: "manifest.unknown_kind")
        // References between parts of the manifest.
        public static let unknownReference = ErrorCode(rawValue: "manifest.unknown_reference")
        public static let ambiguousMachine = ErrorCode(rawValue: "manifest.ambiguous_machine")
        public static let dependencyCycle = ErrorCode(rawValue: "manifest.dependency_cycle")
        public static let nameCollision = ErrorCode(rawValue: "manifest.name_collision")
        // Interpolation and secrets.
        public static let invalidInterpolation = ErrorCode(rawValue: "manifest.invalid_interpolation")
        public static let secretInCommand = ErrorCode(rawValue: "manifest.secret_in_command")
        public static let secretNotAllowed = ErrorCode(rawValue: "manifest.secret_not_allowed")
        public static let envUnset = ErrorCode(rawValue: "manifest.env_unset")
        public static let fileMissing = ErrorCode(rawValue: "manifest.file_missing")
        public static let fileTooLarge = ErrorCode(rawValue: "manifest.file_too_large")
        public static let promptTooLarge = ErrorCode(rawValue: "manifest.prompt_too_large")
        public static let unmaskableSecret = ErrorCode(rawValue: "manifest.unmaskable_secret")
        // Warnings (printed, exit 0).
        public static let yaml11Boolean = ErrorCode(rawValue: "manifest.yaml11_boolean")
        public static let shortSecret = ErrorCode(rawValue: "manifest.short_secret")
        public static let unusedCredentials = ErrorCode(rawValue: "manifest.unused_credentials")
        public static let unusedMachine = ErrorCode(rawValue: "manifest.unused_machine")
    }
}

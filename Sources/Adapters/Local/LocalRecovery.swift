import Executor

/// The labels of a local instance whose record is damaged or missing, from what is left.
enum LocalRecovery {
    /// Runjob's boot record in the instance home, and the labels its fields stand for.
    static let homeRecord = InstanceState.directory + "/instance.json"
    static let homeRecordFields = [
        ("name", InstanceLabel.name), ("workspace", InstanceLabel.workspace), ("machine", InstanceLabel.machine),
        ("config", InstanceLabel.config), ("run", InstanceLabel.run),
    ]

    /// What a partial record still names; then, for labels still missing, runjob's boot
    /// record in `home` (name, workspace, machine, config, run); then the deployment
    /// folder's name and workspace over both (the provider chose the folder; the home is
    /// writable by everything that ran on the instance). What none of them has stays absent.
    static func labels(_ reading: LocalInstanceRecord.Reading, home: String?, deployment: LocalLayout.Deployment?) -> [String: String] {
        var labels: [String: String] = [:]
        switch reading {
        case .record(let record): labels = record.labels
        case .damaged(_, let partial): labels = partial
        case .missing: break
        }
        if let home, case .bytes(let bytes) = LocalFileSystem.readRegular(home + "/" + homeRecord, limit: 16 << 20),
            let json = try? JSONValue.parse(bytes)
        {
            for (field, label) in homeRecordFields where labels[label] == nil {
                if let value = json[field]?.stringValue { labels[label] = value }
            }
        }
        if let deployment { labels.merge(deployment.labels) { _, folder in folder } }
        return labels
    }
}

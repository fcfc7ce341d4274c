import Executor

/// Where local instances live under `<state>/instances`:
///
///     <id>/                       an instance without deployment labels (and every
///                                 instance made before deployments had folders)
///     <name>@<workspace>/<id>/    an instance of a deployment (`runjob.name`, `runjob.workspace`)
///     …/.boot-<id>/               a boot in progress, renamed to `<id>/` once its record is written
///     …/.boot-<id>.lock           held (flock) by the booting process while the boot runs
///
/// Names and workspaces are `^[a-z][a-z0-9_-]{0,62}$`, so `<name>@<workspace>` is one
/// safe path component and `@` cannot be part of either.
struct LocalLayout: Sendable {
    /// `<state>/instances`.
    let instancesDirectory: String

    /// The manifest name and workspace an instance belongs to.
    struct Deployment: Sendable, Equatable {
        var name: String
        var workspace: String

        /// `<name>@<workspace>`.
        var folderName: String { name + "@" + workspace }

        /// The two labels it stands for.
        var labels: [String: String] { [InstanceLabel.name: name, InstanceLabel.workspace: workspace] }
    }

    /// A folder that holds an instance (`staging: false`) or its boot.
    struct Place: Sendable, Equatable {
        /// The folder that holds it (`instances` or a deployment folder).
        var parent: String
        var id: String
        var deployment: Deployment?
        var staging: Bool

        /// The instance folder, or the boot's staging folder.
        var path: String { parent + "/" + (staging ? LocalLayout.stagingPrefix + id : id) }
        /// The instance folder it becomes.
        var finalPath: String { parent + "/" + id }
        /// The lock of its boot.
        var lockPath: String { parent + "/" + LocalLayout.stagingPrefix + id + ".lock" }
    }

    /// The name prefix of staging folders and boot locks.
    static let stagingPrefix = ".boot-"

    /// The deployment named by `labels`, when both labels are there and are runjob names.
    static func deployment(of labels: [String: String]) -> Deployment? {
        guard let name = labels[InstanceLabel.name], let workspace = labels[InstanceLabel.workspace], isName(name), isName(workspace) else {
            return nil
        }
        return Deployment(name: name, workspace: workspace)
    }

    /// The deployment a folder name `<name>@<workspace>` stands for.
    static func deployment(folderName: String) -> Deployment? {
        let parts = folderName.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return deployment(of: [InstanceLabel.name: String(parts[0]), InstanceLabel.workspace: String(parts[1])])
    }

    /// Whether `text` is `^[a-z][a-z0-9_-]{0,62}$` (a manifest name or a workspace).
    static func isName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, ASCII.isLowercase(first), bytes.count <= 63 else { return false }
        return bytes.allSatisfy { ASCII.isLowercase($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// The folder new instances of `deployment` go into.
    func parent(for deployment: Deployment?) -> String {
        deployment.map { instancesDirectory + "/" + $0.folderName } ?? instancesDirectory
    }

    /// The folders to look into for instances carrying `labels`: the flat folder (instances
    /// without a deployment, and old ones) and the deployment's folder, or every deployment folder.
    func parents(for labels: [String: String]) throws(LocalFileError) -> [(path: String, deployment: Deployment?)] {
        if let wanted = Self.deployment(of: labels) {
            return [(instancesDirectory, nil), (parent(for: wanted), wanted)]
        }
        let deployments = try entries(of: instancesDirectory).compactMap(Self.deployment(folderName:))
        return [(instancesDirectory, nil)] + deployments.sorted { $0.folderName < $1.folderName }.map { (parent(for: $0), $0) }
    }

    /// The instances and boots in `parent`.
    func places(in parent: String, deployment: Deployment?) throws(LocalFileError) -> [Place] {
        try entries(of: parent).sorted().compactMap { name -> Place? in
            if LocalProvider.isValidID(name) { return Place(parent: parent, id: name, deployment: deployment, staging: false) }
            if name.hasPrefix(Self.stagingPrefix), !name.hasSuffix(".lock"), LocalProvider.isValidID(String(name.dropFirst(Self.stagingPrefix.count)))
            {
                return Place(parent: parent, id: String(name.dropFirst(Self.stagingPrefix.count)), deployment: deployment, staging: true)
            }
            return nil
        }
    }

    /// Every folder that holds `id` (its instance folder, a boot's staging folder), wherever it is.
    func places(of id: String) throws(LocalFileError) -> [Place] {
        var parents: [(String, Deployment?)] = [(instancesDirectory, nil)]
        for name in try entries(of: instancesDirectory).sorted() {
            if let deployment = Self.deployment(folderName: name) { parents.append((parent(for: deployment), deployment)) }
        }
        var found: [Place] = []
        for (parent, deployment) in parents {
            for staging in [false, true] {
                let place = Place(parent: parent, id: id, deployment: deployment, staging: staging)
                if LocalFileSystem.exists(place.path) { found.append(place) }
            }
        }
        return found
    }

    private func entries(of folder: String) throws(LocalFileError) -> [String] {
        try LocalFileSystem.names(in: folder)
    }
}

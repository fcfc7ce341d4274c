import Executor
import Foundation

extension LocalProvider {
    // MARK: Boot

    /// Prepares the instance under a staging name (`.boot-<id>/`: `home/`, `tmp/` (0700)
    /// and the labels file) while holding its boot lock, then renames it into place: an
    /// instance folder always has its record. Ready at once. Also removes staging
    /// folders of boots that died in the same deployment folder.
    public func boot(_ request: BootRequest) async throws -> Instance {
        let deployment = LocalLayout.deployment(of: request.labels)
        let place = LocalLayout.Place(parent: layout.parent(for: deployment), id: Self.newID(), deployment: deployment, staging: true)
        let createdAt = Int(RunClock.nowMilliseconds() / 1000)
        do throws(LocalFileError) {
            try LocalFileSystem.makeDirectories(place.parent, mode: S_IRWXU)
            removeAbandonedBoots(in: place.parent, deployment: deployment)
            let lock = try LocalBootLock.acquire(place.lockPath)
            defer {
                unlink(place.lockPath)
                close(lock)
            }
            do throws(LocalFileError) {
                for folder in [place.path, place.path + "/home", place.path + "/tmp"] {
                    try LocalFileSystem.makeDirectories(folder, mode: S_IRWXU)
                }
                try LocalInstanceRecord(id: place.id, labels: request.labels, createdAt: createdAt)
                    .write(to: place.path + "/" + LocalInstanceRecord.fileName)
                guard rename(place.path, place.finalPath) == 0 else {
                    throw LocalFileError("cannot rename \(place.path) to \(place.finalPath)", code: errno)
                }
            } catch {
                try? LocalFileSystem.removeTree(place.path)
                throw error
            }
        } catch {
            throw ProviderError(
                ErrorCode.Provider.bootFailed,
                "cannot create the local instance folder under \(place.parent): \(error) (the local provider keeps its instances under "
                    + "$XDG_STATE_HOME/runjob, else ~/.local/state/runjob)",
                context: [.init("instance", place.id)])
        }
        return Instance(id: place.id, status: .ready, labels: request.labels, home: place.finalPath + "/home", createdAt: createdAt)
    }

    /// Removes the staging folders (and stray locks) in `parent` whose boot died; best effort.
    func removeAbandonedBoots(in parent: String, deployment: LocalLayout.Deployment?) {
        for place in (try? layout.places(in: parent, deployment: deployment)) ?? [] where place.staging {
            guard !LocalBootLock.isHeld(place.lockPath) else { continue }
            try? LocalFileSystem.removeTree(place.path)
            unlink(place.lockPath)
        }
        // A lock without a staging folder: its boot died between the two (or is about to mkdir: hence the age).
        for name in (try? LocalFileSystem.names(in: parent)) ?? [] where name.hasPrefix(LocalLayout.stagingPrefix) && name.hasSuffix(".lock") {
            let lock = parent + "/" + name
            guard !LocalFileSystem.exists(String(lock.dropLast(".lock".count))), LocalBootLock.isOlder(lock, than: 60), !LocalBootLock.isHeld(lock)
            else { continue }
            unlink(lock)
        }
    }

    // MARK: Finding instances

    /// The instance, ``InstanceStatus/incomplete`` when its record is damaged or its boot
    /// died, ``InstanceStatus/booting`` while its boot runs; `nil` when there is none.
    public func get(_ id: String) async throws -> Instance? {
        guard Self.isValidID(id) else { return nil }
        let places: [LocalLayout.Place]
        do throws(LocalFileError) {
            places = try layout.places(of: id)
        } catch {
            throw ProviderError(ErrorCode.Provider.misconfigured, "cannot look for the local instance: \(error)", context: [.init("instance", id)])
        }
        guard let place = places.first(where: { !$0.staging }) ?? places.first else { return nil }
        return instance(at: place, includeBooting: true)
    }

    /// Every instance whose labels include all of `labels`. Damaged and half-made instances
    /// are listed as ``InstanceStatus/incomplete`` with the labels that could be recovered
    /// (from their folder's deployment name, a partial record, and the boot record runjob
    /// keeps in the home); a label that cannot be recovered is absent, so it does not match.
    public func list(labels: [String: String]) async throws -> [Instance] {
        var found: [Instance] = []
        do throws(LocalFileError) {
            for (parent, deployment) in try layout.parents(for: labels) {
                for place in try layout.places(in: parent, deployment: deployment) {
                    guard let instance = instance(at: place, includeBooting: false),
                        labels.allSatisfy({ instance.labels[$0.key] == $0.value })
                    else { continue }
                    found.append(instance)
                }
            }
        } catch {
            throw ProviderError(ErrorCode.Provider.misconfigured, "cannot list the local instances: \(error)")
        }
        return found
    }

    /// What `place` holds, as get and list report it.
    func instance(at place: LocalLayout.Place, includeBooting: Bool) -> Instance? {
        let reading = LocalInstanceRecord.read(from: place.path + "/" + LocalInstanceRecord.fileName, id: place.id)
        if place.staging {
            if LocalBootLock.isHeld(place.lockPath) {
                guard includeBooting else { return nil }
                return Instance(id: place.id, status: .booting, labels: LocalRecovery.labels(reading, home: nil, deployment: place.deployment))
            }
            return Instance(
                id: place.id, status: .incomplete, labels: LocalRecovery.labels(reading, home: nil, deployment: place.deployment),
                problem: "its boot was cut short before the instance was ready (nothing ran in it); destroy removes it", neverReady: true)
        }
        let home = place.path + "/home"
        let hasHome = LocalFileSystem.isDirectory(home)
        if case .record(let record) = reading, hasHome {
            return Instance(id: place.id, status: .ready, labels: record.labels, home: home, createdAt: record.createdAt)
        }
        let problem: String
        switch reading {
        case .record: problem = "its home folder is missing"
        case .damaged(let text, _): problem = text
        case .missing: problem = "\(LocalInstanceRecord.fileName) is missing"
        }
        return Instance(
            id: place.id, status: .incomplete, labels: LocalRecovery.labels(reading, home: hasHome ? home : nil, deployment: place.deployment),
            home: hasHome ? home : nil, problem: problem + "; its labels are what could be recovered; destroy removes it")
    }
}

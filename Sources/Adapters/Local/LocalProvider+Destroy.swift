import Executor
import Foundation

extension LocalProvider {
    /// Stops every process of the instance (see ``LocalProcesses``: its marker, its folder
    /// as working directory, the sessions and groups of those and of the session leaders
    /// recorded in `~/.runjob/*/*.pid` and by execs that left processes behind, and all
    /// their descendants; TERM, then KILL), then
    /// removes its folder, a staging folder of a boot that died, and its boot lock. An
    /// instance that is already gone, or vanishes meanwhile (a second destroy), counts as destroyed.
    public func destroy(_ id: String) async throws {
        guard Self.isValidID(id) else {
            throw ProviderError(ErrorCode.Provider.invalidRequest, "`\(id)` is not a local instance id", context: [.init("instance", id)])
        }
        let context = [ErrorContext("instance", id)]
        let places: [LocalLayout.Place]
        do throws(LocalFileError) {
            places = try layout.places(of: id)
        } catch {
            throw ProviderError(ErrorCode.Provider.destroyFailed, "cannot look for the local instance: \(error)", context: context)
        }
        if let booting = places.first(where: { $0.staging && LocalBootLock.isHeld($0.lockPath) }) {
            throw ProviderError(
                ErrorCode.Provider.wrongState, "the local instance \(id) is being booted right now (\(booting.path)); destroy it once its boot ended",
                context: context)
        }
        let folders = places.filter { !$0.staging }.map(\.path)
        let resolved = folders.compactMap(LocalFileSystem.realPath)
        let leaders = folders.reduce(into: Set<Int32>()) { $0.formUnion(LocalProcesses.recordedLeaders(folder: $1)) }
        let scope = LocalInstanceScope(marker: "\(Self.markerVariable)=\(id)", folders: Array(Set(folders + resolved)), recordedLeaders: leaders)
        // A process that was exiting can still write a file while the folder goes (a wrapper
        // recording its exit status): sweep again and retry before giving up.
        for attempt in 1...3 {
            await LocalProcesses.terminateAll(scope)
            do throws(LocalFileError) {
                for place in places {
                    try LocalFileSystem.removeTree(place.path)
                    if place.staging { unlink(place.lockPath) }
                }
                return
            } catch {
                if attempt == 3 {
                    throw ProviderError(ErrorCode.Provider.destroyFailed, "cannot remove the local instance folder: \(error)", context: context)
                }
            }
        }
    }
}

import Foundation

/// The lock a boot holds while it prepares its staging folder (`.boot-<id>.lock`
/// beside it). It is taken before the staging folder exists and released only after
/// the folder was renamed into place, so a staging folder whose lock nobody holds
/// belongs to a boot that died (kill -9): nothing ever ran in it and it can go.
/// The kernel drops an flock when its holder dies, whatever killed it.
enum LocalBootLock {
    /// Creates the lock file at `path` and locks it; closing the descriptor releases it.
    static func acquire(_ path: String) throws(LocalFileError) -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR)
        guard descriptor >= 0 else { throw LocalFileError("cannot create \(path)", code: errno) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            let code = errno
            close(descriptor)
            unlink(path)
            throw LocalFileError("cannot lock \(path)", code: code)
        }
        return descriptor
    }

    /// Whether a live process holds the lock at `path` (a missing lock file is not held).
    ///
    /// The test takes the lock for an instant. A process forked meanwhile by another thread
    /// shares that lock until it execs, so one refusal is not proof: it is held only when
    /// three tries over about 4 ms are refused (a boot holds it for its whole duration).
    static func isHeld(_ path: String) -> Bool {
        for attempt in 0..<3 {
            if attempt > 0 { usleep(2000) }
            let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            let refused = flock(descriptor, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
            close(descriptor)
            if !refused { return false }
        }
        return true
    }

    /// Whether the file at `path` was last changed more than `seconds` ago (false when it is gone).
    static func isOlder(_ path: String, than seconds: Int) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        #if canImport(Darwin)
            let changed = Int(info.st_mtimespec.tv_sec)
        #else
            let changed = Int(info.st_mtim.tv_sec)
        #endif
        return changed < Int(time(nil)) - seconds
    }
}

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <memory>

namespace Raize {

// SHA-256 for the audit log's hash chain (ADR 0010). OpenSSL's libcrypto
// uses the CPU's SHA instructions (x86 SHA-NI, ARMv8 SHA2) where it has
// them, several times faster than Qt's portable implementation; without
// them Qt's QCryptographicHash is used. Both give the same digests (tested).
//
// One Sha256 object per thread: it keeps its digest context between calls.
class Sha256
{
public:
    enum class Backend { Qt, OpenSsl };

    // The backend for this machine: OpenSSL when the CPU has SHA
    // instructions and libcrypto provides SHA-256, else Qt.
    // RAIZE_SHA256_BACKEND=qt|openssl overrides it (benchmarks, tests).
    static Backend preferredBackend();
    static bool cpuHasShaInstructions();
    static QString backendName(Backend backend);

    explicit Sha256(Backend backend = preferredBackend());
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    Backend backend() const { return m_backend; }

    using Digest = std::array<unsigned char, 32>;
    Digest digest(QByteArrayView data);
    // Lower-case hex, 64 characters.
    QByteArray hex(QByteArrayView data);
    // Whether `data`'s digest is `expectedHex` (64 lower-case hex characters),
    // without allocating.
    bool matchesHex(QByteArrayView data, QByteArrayView expectedHex);

    // One-shot convenience (a fresh context each call).
    static QString hexString(QByteArrayView data);

private:
    struct OpenSslState;
    Backend m_backend;
    std::unique_ptr<OpenSslState> m_ssl;
};

} // namespace Raize

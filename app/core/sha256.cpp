#include "core/sha256.h"

#include <QCryptographicHash>

#include <openssl/evp.h>

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace Raize {

using namespace Qt::StringLiterals;

namespace {

// The fetched algorithm is shared by every context; fetching it per call
// would take a lock inside libcrypto on every record.
EVP_MD *fetchedSha256()
{
    static EVP_MD *md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

void toHex(const Sha256::Digest &d, char *out)
{
    static constexpr char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < d.size(); ++i) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 0xf];
    }
}

} // namespace

struct Sha256::OpenSslState
{
    EVP_MD_CTX *ctx = nullptr;
    ~OpenSslState()
    {
        if (ctx)
            EVP_MD_CTX_free(ctx);
    }
};

bool Sha256::cpuHasShaInstructions()
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_max(0, nullptr) < 7)
        return false;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & (1u << 29)) != 0; // CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29]
#elif defined(__aarch64__) && defined(__linux__)
    return (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0;
#else
    return false;
#endif
}

Sha256::Backend Sha256::preferredBackend()
{
    static const Backend chosen = [] {
        const QByteArray forced = qgetenv("RAIZE_SHA256_BACKEND").toLower();
        if (forced == "qt")
            return Backend::Qt;
        if (forced == "openssl")
            return fetchedSha256() ? Backend::OpenSsl : Backend::Qt;
        return cpuHasShaInstructions() && fetchedSha256() ? Backend::OpenSsl : Backend::Qt;
    }();
    return chosen;
}

QString Sha256::backendName(Backend backend)
{
    return backend == Backend::OpenSsl ? u"OpenSSL libcrypto"_s : u"Qt QCryptographicHash"_s;
}

Sha256::Sha256(Backend backend)
    : m_backend(backend)
{
    if (m_backend == Backend::OpenSsl) {
        if (!fetchedSha256()) {
            m_backend = Backend::Qt;
            return;
        }
        m_ssl = std::make_unique<OpenSslState>();
        m_ssl->ctx = EVP_MD_CTX_new();
        if (!m_ssl->ctx) {
            m_ssl.reset();
            m_backend = Backend::Qt;
        }
    }
}

Sha256::~Sha256() = default;

Sha256::Digest Sha256::digest(QByteArrayView data)
{
    Digest out{};
    if (m_backend == Backend::OpenSsl) {
        unsigned int len = 0;
        if (EVP_DigestInit_ex(m_ssl->ctx, fetchedSha256(), nullptr) == 1
            && EVP_DigestUpdate(m_ssl->ctx, data.data(), size_t(data.size())) == 1
            && EVP_DigestFinal_ex(m_ssl->ctx, out.data(), &len) == 1 && len == out.size())
            return out;
        // A libcrypto failure here is not expected; Qt gives the same answer.
    }
    const QByteArray d = QCryptographicHash::hash(data, QCryptographicHash::Sha256);
    std::memcpy(out.data(), d.constData(), out.size());
    return out;
}

QByteArray Sha256::hex(QByteArrayView data)
{
    QByteArray out(64, Qt::Uninitialized);
    toHex(digest(data), out.data());
    return out;
}

bool Sha256::matchesHex(QByteArrayView data, QByteArrayView expectedHex)
{
    if (expectedHex.size() != 64)
        return false;
    char buf[64];
    toHex(digest(data), buf);
    return std::memcmp(buf, expectedHex.data(), sizeof buf) == 0;
}

QString Sha256::hexString(QByteArrayView data)
{
    thread_local Sha256 hasher;
    return QString::fromLatin1(hasher.hex(data));
}

} // namespace Raize

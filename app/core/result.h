#pragma once

#include "core/error.h"

#include <optional>
#include <utility>

namespace Raize {

// A value or an Error, never both (a small std::expected for C++20).
template<typename T>
class Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Error error) : m_error(std::move(error)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    const T &operator*() const { return *m_value; }

    const Error &error() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

// For operations that succeed with nothing to return.
struct Unit {};
using Status = Result<Unit>;
inline Status okStatus() { return Status(Unit{}); }

} // namespace Raize

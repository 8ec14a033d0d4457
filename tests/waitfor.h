#pragma once

// Waiting for an asynchronous client call in a test: spins a local event
// loop until the callback has run (which may be before exec()).

#include "core/result.h"

#include <QEventLoop>

#include <functional>
#include <optional>

namespace RaizeTest {

template<typename T>
Raize::Result<T> wait(std::function<void(std::function<void(const Raize::Result<T> &)>)> call)
{
    QEventLoop loop;
    std::optional<Raize::Result<T>> out;
    call([&](const Raize::Result<T> &r) {
        out = r;
        loop.quit();
    });
    if (!out)
        loop.exec();
    return *out;
}

inline Raize::Status waitStatus(std::function<void(std::function<void(const Raize::Status &)>)> call)
{
    QEventLoop loop;
    std::optional<Raize::Status> out;
    call([&](const Raize::Status &r) {
        out = r;
        loop.quit();
    });
    if (!out)
        loop.exec();
    return *out;
}

} // namespace RaizeTest

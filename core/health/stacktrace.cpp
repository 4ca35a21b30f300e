// SPDX-License-Identifier: GPL-3.0-or-later
#include "stacktrace.h"

#include <memory>

#ifdef VIGIL_HAVE_BACKWARD
#include <backward.hpp>
#endif

namespace Vigil {

QStringList StackTrace::capture(int skip, int maxFrames)
{
    QStringList frames;
#ifdef VIGIL_HAVE_BACKWARD
    backward::StackTrace st;
    st.load_here(static_cast<size_t>(maxFrames + skip + 1));
    st.skip_n_firsts(static_cast<size_t>(skip + 1));
    backward::TraceResolver resolver;
    resolver.load_stacktrace(st);
    for (size_t i = 0; i < st.size(); ++i) {
        const backward::ResolvedTrace t = resolver.resolve(st[i]);
        QString line = QString::fromStdString(t.object_function.empty() ? std::string("??") : t.object_function);
        if (!t.source.filename.empty())
            line += QStringLiteral(" at ") + QString::fromStdString(t.source.filename) + u':'
                + QString::number(t.source.line);
        frames << line;
    }
#else
    Q_UNUSED(skip)
    Q_UNUSED(maxFrames)
#endif
    return frames;
}

void StackTrace::installCrashHandler()
{
#ifdef VIGIL_HAVE_BACKWARD
    static std::unique_ptr<backward::SignalHandling> handler;
    if (!handler)
        handler = std::make_unique<backward::SignalHandling>();
#endif
}

} // namespace Vigil

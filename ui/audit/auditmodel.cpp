#include "auditmodel.h"

#include "core/jsonutil.h"

#include <QFile>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif
#include <QSet>

#include <algorithm>

namespace Raize::Ui {

using namespace Qt::StringLiterals;
using Raize::Records::AuditLines;
using Raize::Records::AuditRecord;

namespace {

QStringList sortedList(const QSet<QString> &set)
{
    QStringList l(set.cbegin(), set.cend());
    l.sort();
    return l;
}

} // namespace

struct AuditModel::Source
{
    QFile file;
    uchar *map = nullptr;
    QByteArray owned;
    QByteArrayView bytes;

    ~Source()
    {
        if (map)
            file.unmap(map);
    }

    // Once the whole log has been scanned, its pages stay in the page cache
    // but leave this process's resident set: a 1,000,000-record log would
    // otherwise count ~400 MB against the console although the view shows a
    // screenful (the rows it paints are faulted back in on demand).
    void releaseScannedPages() const
    {
#ifdef Q_OS_LINUX
        if (map && !bytes.isEmpty())
            madvise(map, size_t(bytes.size()), MADV_DONTNEED);
#endif
    }
};

AuditModel::AuditModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

AuditModel::~AuditModel()
{
    stopWorker();
}

int AuditModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int AuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && (section == Seq || section == Time))
        return u"Click to show the newest or the oldest records first"_s;
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Seq: return u"#"_s;
    case Time: return u"Time (UTC)"_s;
    case Actor: return u"Actor"_s;
    case Action: return u"Action"_s;
    case Target: return u"Target"_s;
    case Service: return u"Service"_s;
    case Reason: return u"Reason"_s;
    case RequestId: return u"Request id"_s;
    }
    return {};
}

qsizetype AuditModel::lineIndex(int row) const
{
    return m_newestFirst ? qsizetype(row) : qsizetype(m_lines.size()) - 1 - row;
}

QByteArrayView AuditModel::rawLine(int row) const
{
    if (row < 0 || size_t(row) >= m_lines.size() || !m_source)
        return {};
    const AuditLines::Span &s = m_lines[size_t(lineIndex(row))];
    return m_source->bytes.sliced(s.begin, s.end - s.begin);
}

AuditRecord AuditModel::record(int row) const
{
    if (row < 0 || size_t(row) >= m_lines.size())
        return {};
    return cached(row);
}

const AuditRecord &AuditModel::cached(int row) const
{
    const qsizetype idx = lineIndex(row);
    if (const AuditRecord *hit = m_cache.object(idx))
        return *hit;
    auto *r = new AuditRecord;
    QString error;
    if (!AuditRecord::fromLine(rawLine(row).toByteArray(), r, &error)) {
        *r = AuditRecord{};
        r->action = u"(unreadable record)"_s;
        r->target = u"byte %1"_s.arg(m_lines[size_t(idx)].begin);
        r->reason = error + u" — run `raize-console audit verify`"_s;
    }
    m_cache.insert(idx, r); // evicts the least recently used, never r: the reference holds until the next insert
    return *r;
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == Qt::TextAlignmentRole)
        return index.column() == Seq ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != RecordRole)
        return {};
    const AuditRecord &r = cached(index.row()); // per cell and role while painting: no copy
    if (role == RecordRole)
        return QVariant::fromValue(r.seq);
    if (role == Qt::ToolTipRole) {
        if (r.seq == 0)
            return r.reason;
        return u"Reason: %1\nBefore: %2\nAfter: %3\nHash: %4"_s.arg(r.reason.isEmpty() ? u"—"_s : r.reason,
                                                                   QString::fromUtf8(Json::dump(r.before)),
                                                                   QString::fromUtf8(Json::dump(r.after)), r.hash);
    }
    switch (index.column()) {
    case Seq: return r.seq > 0 ? QVariant(r.seq) : QVariant(u"?"_s);
    case Time: return r.time.isValid() ? r.time.toUTC().toString(u"yyyy-MM-dd HH:mm:ss"_s) : QString();
    case Actor: return r.actor;
    case Action: return r.action;
    case Target: return r.target;
    case Service: return r.service;
    case Reason: return r.reason;
    case RequestId: return r.requestId;
    }
    return {};
}

bool AuditModel::openFile(const QString &path, QString *error)
{
    auto source = std::make_shared<Source>();
    source->file.setFileName(path);
    if (!source->file.exists()) {
        start(source);
        return true;
    }
    if (!source->file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = source->file.errorString();
        start(std::make_shared<Source>());
        return false;
    }
    const qint64 size = source->file.size();
    if (size > 0) {
        // A read-only mapping: a large log costs no copy, and pages the view
        // never shows are never read.
        source->map = source->file.map(0, size);
        if (source->map) {
            source->bytes = QByteArrayView(reinterpret_cast<const char *>(source->map), size);
        } else {
            source->owned = source->file.readAll();
            source->bytes = source->owned;
        }
    }
    start(source);
    return true;
}

void AuditModel::openBytes(QByteArray bytes)
{
    auto source = std::make_shared<Source>();
    source->owned = std::move(bytes);
    source->bytes = source->owned;
    start(source);
}

void AuditModel::stopWorker()
{
    if (m_cancel)
        m_cancel->store(true);
    if (m_worker.joinable())
        m_worker.join();
    m_cancel.reset();
}

void AuditModel::start(std::shared_ptr<Source> source)
{
    stopWorker();
    beginResetModel();
    ++m_generation;
    m_source = std::move(source);
    m_cache.clear();
    m_lines.clear();
    m_actionPrefixes.clear();
    m_actors.clear();
    m_services.clear();
    m_unreadable = 0;
    const QByteArrayView bytes = m_source->bytes;
    qsizetype cursor = AuditLines::startCursor(bytes);
    m_lines = AuditLines::scanBackward(bytes, &cursor, m_firstBatch);
    m_loading = cursor > 0;
    endResetModel();

    const auto collectChoices = [](QByteArrayView all, const std::vector<AuditLines::Span> &lines,
                                   const std::atomic<bool> *cancel) {
        QSet<QString> actions, actors, services;
        Choices c;
        for (const AuditLines::Span &s : lines) {
            if (cancel && cancel->load(std::memory_order_relaxed))
                return c;
            AuditRecord r;
            if (!AuditRecord::fromLine(all.sliced(s.begin, s.end - s.begin).toByteArray(), &r)) {
                ++c.unreadable;
                continue;
            }
            actions.insert(r.action.section(u'.', 0, 0) + u'.');
            actors.insert(r.actor);
            if (!r.service.isEmpty())
                services.insert(r.service);
        }
        c.actionPrefixes = sortedList(actions);
        c.actors = sortedList(actors);
        c.services = sortedList(services);
        return c;
    };

    if (!m_loading) {
        // A small log: everything is here already.
        takeChoices(m_generation, collectChoices(bytes, m_lines, nullptr));
        m_source->releaseScannedPages();
        Q_EMIT loaded();
        return;
    }

    // The rest in the background: the lines first (a batch at a time, the
    // view grows at the bottom), then the filter choices over every record.
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancel;
    const quint64 generation = m_generation;
    const int batch = m_batch;
    std::vector<AuditLines::Span> first = m_lines;
    m_worker = std::thread([this, source = m_source, cancel, generation, batch, cursor, first = std::move(first),
                            collectChoices]() mutable {
        std::vector<AuditLines::Span> all = std::move(first);
        while (cursor > 0 && !cancel->load()) {
            std::vector<AuditLines::Span> spans = AuditLines::scanBackward(source->bytes, &cursor, batch);
            all.insert(all.end(), spans.begin(), spans.end());
            const bool done = cursor == 0;
            QMetaObject::invokeMethod(
                this, [this, generation, spans = std::move(spans), done]() mutable { takeBatch(generation, std::move(spans), done); },
                Qt::QueuedConnection);
        }
        if (cancel->load())
            return;
        Choices choices = collectChoices(source->bytes, all, cancel.get());
        if (cancel->load())
            return;
        source->releaseScannedPages();
        QMetaObject::invokeMethod(
            this, [this, generation, choices = std::move(choices)]() mutable { takeChoices(generation, std::move(choices)); },
            Qt::QueuedConnection);
    });
}

void AuditModel::takeBatch(quint64 generation, std::vector<AuditLines::Span> spans, bool done)
{
    if (generation != m_generation)
        return;
    if (!spans.empty()) {
        // Older records: at the bottom when the newest come first (the only
        // order while loading, see setNewestFirst).
        const int first = int(m_lines.size());
        beginInsertRows({}, first, first + int(spans.size()) - 1);
        m_lines.insert(m_lines.end(), spans.begin(), spans.end());
        endInsertRows();
    }
    if (done) {
        m_loading = false;
        Q_EMIT loaded();
    }
}

void AuditModel::takeChoices(quint64 generation, Choices choices)
{
    if (generation != m_generation)
        return;
    m_actionPrefixes = std::move(choices.actionPrefixes);
    m_actors = std::move(choices.actors);
    m_services = std::move(choices.services);
    m_unreadable = choices.unreadable;
    Q_EMIT choicesReady();
}

void AuditModel::setNewestFirst(bool newestFirst)
{
    if (m_loading || newestFirst == m_newestFirst)
        return;
    beginResetModel();
    m_newestFirst = newestFirst;
    endResetModel();
}

AuditFilterModel::AuditFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void AuditFilterModel::setAuditFilter(const Records::AuditFilter &filter)
{
    m_filter = filter;
    invalidateFilter();
}

bool AuditFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    Q_UNUSED(sourceParent);
    if (m_filter.isEmpty())
        return true;
    const auto *model = static_cast<const AuditModel *>(sourceModel());
    if (!AuditLines::mayMatch(model->rawLine(sourceRow), m_filter))
        return false;
    AuditRecord r;
    if (!AuditRecord::fromLine(model->rawLine(sourceRow).toByteArray(), &r))
        return false;
    return m_filter.matches(r);
}

} // namespace Raize::Ui

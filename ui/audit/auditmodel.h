#pragma once

#include "records/auditexport.h"
#include "records/auditlines.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QSortFilterProxyModel>
#include <QStringList>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace Raize::Ui {

// The audit log as a table, newest record first (or oldest first, see
// setNewestFirst). A log of a million records shows its newest rows at
// once: the file is mapped, a worker thread finds the lines from the end
// backwards and hands them over in batches (Wireshark's packet list), and a
// row is parsed only when the view asks for it, through a small cache.
class AuditModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Seq, Time, Actor, Action, Target, Service, Reason, RequestId, ColumnCount };
    static constexpr int RecordRole = Qt::UserRole + 1;

    explicit AuditModel(QObject *parent = nullptr);
    ~AuditModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Shows the log at `path` (a missing file is an empty log). False, with
    // the reason in *error, when it exists but cannot be read.
    bool openFile(const QString &path, QString *error = nullptr);
    // Shows the records of `bytes` (JSON lines as the log writes them).
    void openBytes(QByteArray bytes);
    // Rows found before openFile() returns, and per batch after that
    // (tests use small ones to see the batches).
    void setBatchSizes(int first, int rest)
    {
        m_firstBatch = qMax(1, first);
        m_batch = qMax(1, rest);
    }

    bool isLoading() const { return m_loading; }
    bool newestFirst() const { return m_newestFirst; }
    // Re-orders the rows; ignored while loading.
    void setNewestFirst(bool newestFirst);

    // The record on `row`, parsed (cached). An unreadable line gives a
    // record with seq 0 and action "(unreadable record)".
    Records::AuditRecord record(int row) const;
    QByteArrayView rawLine(int row) const;

    // The distinct actions (as "prefix."), actors and services of the whole
    // log; filled in the background after the lines are found (choicesReady).
    QStringList actionPrefixes() const { return m_actionPrefixes; }
    QStringList actors() const { return m_actors; }
    QStringList services() const { return m_services; }
    qint64 unreadableLines() const { return m_unreadable; }

Q_SIGNALS:
    void loaded();       // every line is a row
    void choicesReady(); // the filter choices cover the whole log

private:
    struct Source;
    struct Choices
    {
        QStringList actionPrefixes, actors, services;
        qint64 unreadable = 0;
    };
    void start(std::shared_ptr<Source> source);
    void stopWorker();
    void takeBatch(quint64 generation, std::vector<Records::AuditLines::Span> spans, bool done);
    void takeChoices(quint64 generation, Choices choices);
    qsizetype lineIndex(int row) const;
    // The parsed record of `row`, from the cache (valid until the next call).
    const Records::AuditRecord &cached(int row) const;

    std::shared_ptr<Source> m_source;
    std::vector<Records::AuditLines::Span> m_lines; // newest first
    bool m_newestFirst = true;
    bool m_loading = false;
    int m_firstBatch = 2000; // ~1 MB of a log: far under the 200 ms goal
    int m_batch = 50000;
    quint64 m_generation = 0;
    std::thread m_worker;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    mutable QCache<qsizetype, Records::AuditRecord> m_cache{4096};
    QStringList m_actionPrefixes, m_actors, m_services;
    qint64 m_unreadable = 0;
};

// Filters the rows with Records::AuditFilter (the same filter as
// `raize-console audit export`); a raw-bytes test rejects most rows before
// any parse. Sorting is the source model's (chronological).
class AuditFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit AuditFilterModel(QObject *parent = nullptr);
    void setAuditFilter(const Records::AuditFilter &filter);
    const Records::AuditFilter &auditFilter() const { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Records::AuditFilter m_filter;
};

} // namespace Raize::Ui

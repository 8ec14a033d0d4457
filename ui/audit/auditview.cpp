#include "auditview.h"

#include "auditmodel.h"

#include "records/auditexport.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QTableView>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;
using namespace Raize::Records;

namespace {

QComboBox *makeChoice(const QString &objectName, const QString &any, QWidget *parent)
{
    auto *c = new QComboBox(parent);
    c->setObjectName(objectName);
    c->addItem(any, QString());
    c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    return c;
}

void fillChoice(QComboBox *c, const QStringList &values)
{
    const QString current = c->currentData().toString();
    while (c->count() > 1)
        c->removeItem(1);
    for (const QString &v : values)
        c->addItem(v, v);
    c->setCurrentIndex(qMax(0, c->findData(current)));
}

} // namespace

AuditView::AuditView(QString logPath, QWidget *parent)
    : QWidget(parent)
    , m_path(std::move(logPath))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 8);

    auto *title = new QLabel(u"Audit log"_s, this);
    QFont f = title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.3);
    title->setFont(f);
    auto *pathLabel = new QLabel(m_path, this);
    pathLabel->setObjectName(u"auditPath"_s);
    pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pathLabel->setStyleSheet(u"color: palette(mid);"_s);
    layout->addWidget(title);
    layout->addWidget(pathLabel);

    auto *bar = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"auditSearch"_s);
    m_search->setAccessibleName(u"Search"_s);
    m_search->setPlaceholderText(u"Search actor, action, target, reason, request id, before/after…"_s);
    m_search->setClearButtonEnabled(true);
    m_action = makeChoice(u"auditAction"_s, u"All actions"_s, this);
    m_actor = makeChoice(u"auditActor"_s, u"All actors"_s, this);
    m_service = makeChoice(u"auditService"_s, u"All services"_s, this);
    auto *verify = new QPushButton(u"Verify chain"_s, this);
    verify->setObjectName(u"auditVerify"_s);
    auto *exportButton = new QPushButton(u"Export…"_s, this);
    exportButton->setObjectName(u"auditExport"_s);
    auto *reloadButton = new QPushButton(u"Reload"_s, this);
    reloadButton->setObjectName(u"auditReload"_s);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_action);
    bar->addWidget(m_actor);
    bar->addWidget(m_service);
    bar->addWidget(verify);
    bar->addWidget(exportButton);
    bar->addWidget(reloadButton);
    layout->addLayout(bar);

    m_verdict = new QLabel(this);
    m_verdict->setObjectName(u"auditVerdict"_s);
    m_verdict->setWordWrap(true);
    m_verdict->hide();
    layout->addWidget(m_verdict);

    m_empty = new QLabel(this);
    m_empty->setObjectName(u"auditEmpty"_s);
    m_empty->setWordWrap(true);
    m_empty->hide();
    layout->addWidget(m_empty);

    m_model = new AuditModel(this);
    m_filter = new AuditFilterModel(this);
    m_filter->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setObjectName(u"auditTable"_s);
    m_table->setAccessibleName(u"Audit records"_s);
    m_table->setModel(m_filter);
    // The order is the log's (newest or oldest first, from the # and Time
    // headers); sorting a million rows by another column would mean parsing
    // every one of them.
    m_table->setSortingEnabled(false);
    m_table->horizontalHeader()->setSortIndicatorShown(true);
    m_table->horizontalHeader()->setSortIndicator(AuditModel::Seq, Qt::DescendingOrder);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(AuditModel::Reason, QHeaderView::Stretch);
    m_table->setColumnWidth(AuditModel::Seq, 60);
    m_table->setColumnWidth(AuditModel::Time, 150);
    m_table->setColumnWidth(AuditModel::Actor, 130);
    m_table->setColumnWidth(AuditModel::Action, 140);
    m_table->setColumnWidth(AuditModel::Target, 170);
    m_table->setColumnWidth(AuditModel::Service, 90);
    m_table->setColumnWidth(AuditModel::RequestId, 110);
    layout->addWidget(m_table, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(u"auditStatus"_s);
    layout->addWidget(m_status);

    connect(m_search, &QLineEdit::textChanged, this, &AuditView::applyFilter);
    for (QComboBox *c : {m_action, m_actor, m_service})
        connect(c, &QComboBox::currentIndexChanged, this, &AuditView::applyFilter);
    connect(verify, &QPushButton::clicked, this, &AuditView::verifyChain);
    connect(exportButton, &QPushButton::clicked, this, &AuditView::chooseExport);
    connect(reloadButton, &QPushButton::clicked, this, &AuditView::reload);
    connect(m_model, &AuditModel::loaded, this, &AuditView::updateStatus);
    connect(m_model, &AuditModel::choicesReady, this, [this] {
        fillChoice(m_action, m_model->actionPrefixes());
        fillChoice(m_actor, m_model->actors());
        fillChoice(m_service, m_model->services());
        updateStatus();
    });
    connect(m_table->horizontalHeader(), &QHeaderView::sectionClicked, this, [this](int section) {
        if (section == AuditModel::Seq || section == AuditModel::Time)
            m_model->setNewestFirst(!m_model->newestFirst());
        m_table->horizontalHeader()->setSortIndicator(AuditModel::Seq,
                                                      m_model->newestFirst() ? Qt::DescendingOrder : Qt::AscendingOrder);
    });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &AuditView::updateStatus);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &AuditView::updateStatus);
    reload();
}

void AuditView::reload()
{
    m_loadError.clear();
    m_model->openFile(m_path, &m_loadError);
    m_table->horizontalHeader()->setSortIndicator(AuditModel::Seq,
                                                  m_model->newestFirst() ? Qt::DescendingOrder : Qt::AscendingOrder);
    updateStatus();
}

void AuditView::applyFilter()
{
    AuditFilter f;
    f.text = m_search->text().trimmed();
    f.actionPrefix = m_action->currentData().toString();
    f.actor = m_actor->currentData().toString();
    f.service = m_service->currentData().toString();
    m_filter->setAuditFilter(f);
    updateStatus();
}

void AuditView::updateStatus()
{
    const int total = m_model->rowCount();
    const int shown = m_filter->rowCount();
    if (!m_loadError.isEmpty()) {
        m_empty->setText(u"The audit log could not be read: %1. Check the file's permissions; `raize-console audit verify` says more."_s.arg(m_loadError));
        m_empty->show();
    } else if (total == 0 && !m_model->isLoading()) {
        m_empty->setText(QFile::exists(m_path)
                             ? u"The audit log is empty: the console has not recorded any action for this profile yet."_s
                             : u"No audit log yet: the console creates it with its first recorded action (promotion, flag change, rollback, override)."_s);
        m_empty->show();
    } else {
        m_empty->hide();
    }
    QString status = shown == total ? u"%1 record(s)"_s.arg(total) : u"%1 of %2 record(s) match the filter"_s.arg(shown).arg(total);
    if (m_model->isLoading())
        status += u" — reading older records…"_s;
    else if (m_model->unreadableLines() > 0)
        status += u" — %1 line(s) are not readable records: run Verify chain"_s.arg(m_model->unreadableLines());
    m_status->setText(status);
}

void AuditView::verifyChain()
{
    const VerifyReport report = AuditVerifier::verify(m_path);
    const bool good = report.readable && report.intact();
    if (!QFile::exists(m_path))
        m_verdict->setText(u"No audit log to verify yet."_s);
    else
        m_verdict->setText(report.summary());
    m_verdict->setStyleSheet(good || !QFile::exists(m_path)
                                 ? u"background:#e6f4ea; color:#1e4620; padding:6px; border:1px solid #9ccaa6;"_s
                                 : u"background:#fde8e8; color:#7a1212; padding:6px; border:1px solid #e0a0a0; font-weight:bold;"_s);
    m_verdict->show();
    Q_EMIT verified(report);
}

bool AuditView::exportTo(const QString &file)
{
    QList<AuditRecord> rows;
    for (int i = 0; i < m_filter->rowCount(); ++i)
        rows.append(m_model->record(m_filter->mapToSource(m_filter->index(i, 0)).row()));
    std::sort(rows.begin(), rows.end(), [](const AuditRecord &a, const AuditRecord &b) { return a.seq < b.seq; });
    const auto format = file.endsWith(u".csv"_s, Qt::CaseInsensitive) ? AuditExport::Format::Csv : AuditExport::Format::Json;
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(AuditExport::render(rows, format)) < 0 || !out.commit()) {
        m_status->setText(u"Export failed: %1"_s.arg(out.errorString()));
        return false;
    }
    m_status->setText(u"Exported %1 record(s) to %2"_s.arg(rows.size()).arg(file));
    return true;
}

void AuditView::chooseExport()
{
    const QString file = QFileDialog::getSaveFileName(this, u"Export audit records"_s, u"audit-export.json"_s,
                                                      u"JSON (*.json);;CSV (*.csv)"_s);
    if (!file.isEmpty())
        exportTo(file);
}

} // namespace Raize::Ui

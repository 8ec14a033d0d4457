#include "canary/canarystagepanel.h"

#include "canary/canarystagemodel.h"
#include "release/canaryrun.h"

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QTableView>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

CanaryStagePanel::CanaryStagePanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new CanaryStageModel(this))
{
    setObjectName(u"canaryStagePanel"_s);
    auto *layout = new QVBoxLayout(this);
    m_axes = new QLabel(u"Canary axes: not chosen yet"_s, this);
    m_axes->setObjectName(u"canaryAxes"_s);
    m_axes->setWordWrap(true);
    layout->addWidget(m_axes);

    m_table = new QTableView(this);
    m_table->setObjectName(u"canaryStages"_s);
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_table, 1);

    m_verdict = new QLabel(this);
    m_verdict->setObjectName(u"canaryVerdict"_s);
    m_verdict->setWordWrap(true);
    layout->addWidget(m_verdict);

    // What the stage is judged on besides the burn: read, never ticked by hand.
    m_evidence = new QLabel(this);
    m_evidence->setObjectName(u"canaryEvidence"_s);
    m_evidence->setWordWrap(true);
    m_evidence->setTextFormat(Qt::RichText);
    m_evidence->setOpenExternalLinks(true);
    m_evidence->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_evidence->setAccessibleName(u"Canary stage evidence"_s);
    m_evidence->hide();
    layout->addWidget(m_evidence);

    auto *chart = new QChart;
    chart->setTitle(u"Canary vs baseline: error ratio in the stage (%)"_s);
    m_canary = new QLineSeries;
    m_canary->setName(u"canary"_s);
    m_canary->setColor(QColor(0xc6, 0x28, 0x28));
    m_baseline = new QLineSeries;
    m_baseline->setName(u"baseline (current)"_s);
    m_baseline->setColor(QColor(0x15, 0x65, 0xc0));
    chart->addSeries(m_canary);
    chart->addSeries(m_baseline);
    m_x = new QValueAxis;
    m_x->setTitleText(u"seconds since the canary started"_s);
    m_x->setLabelFormat(u"%d"_s);
    m_y = new QValueAxis;
    m_y->setTitleText(u"errors (%)"_s);
    m_y->setRange(0, 1);
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    for (QLineSeries *s : {m_canary, m_baseline}) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_chart = new QChartView(chart, this);
    m_chart->setObjectName(u"canaryChart"_s);
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(220);
    layout->addWidget(m_chart, 2);

    auto *buttons = new QHBoxLayout;
    m_advance = new QPushButton(u"Advance stage…"_s, this);
    m_advance->setObjectName(u"canaryAdvance"_s);
    m_advance->setEnabled(false);
    m_abort = new QPushButton(u"Abort canary…"_s, this);
    m_abort->setObjectName(u"canaryAbort"_s);
    m_abort->setEnabled(false);
    buttons->addStretch(1);
    buttons->addWidget(m_advance);
    buttons->addWidget(m_abort);
    layout->addLayout(buttons);
    connect(m_advance, &QPushButton::clicked, this, [this] {
        if (m_run)
            Q_EMIT advanceRequested(m_run->stageIndex() + 1);
    });
    connect(m_abort, &QPushButton::clicked, this, &CanaryStagePanel::abortRequested);
}

void CanaryStagePanel::setAxisChoice(const Release::AxisChoice &choice)
{
    m_axes->setText((choice.deploymentAxis ? u"Two axes — "_s : u"Flag axis only — "_s) + choice.reason);
}

void CanaryStagePanel::setRun(const Release::CanaryRun *run, const Clock *clock)
{
    if (m_run)
        disconnect(m_run, nullptr, this, nullptr);
    m_run = run;
    m_clock = clock;
    m_startMs = -1;
    m_canary->clear();
    m_baseline->clear();
    m_model->setPlan(run ? run->plan() : QList<Release::CanaryStage>{});
    if (run)
        connect(run, &Release::CanaryRun::updated, this, &CanaryStagePanel::refresh);
    refresh();
}

QStringList CanaryStagePanel::evidenceLines(const QList<Release::StageEvidence> &rows)
{
    QStringList out;
    for (const Release::StageEvidence &e : rows)
        out << e.line();
    return out;
}

void CanaryStagePanel::showEvidence(const QList<Release::StageEvidence> &rows)
{
    QStringList html;
    for (const Release::StageEvidence &e : rows) {
        const char *color = e.state == Release::StageEvidence::State::Hold ? "#c62828" : e.state == Release::StageEvidence::State::Unknown ? "#ef6c00" : "#2e7d32";
        QString row = u"<span style=\"color:%1\"><b>%2</b></span> %3: %4"_s.arg(QLatin1StringView(color), Release::StageEvidence::stateName(e.state),
                                                                                e.subject.toHtmlEscaped(), e.detail.toHtmlEscaped());
        if (!e.since.isEmpty())
            row += u" (since %1)"_s.arg(e.since.toHtmlEscaped());
        if (!e.query.isEmpty())
            row += u"<br><code>%1</code>"_s.arg(e.query.toHtmlEscaped());
        if (!e.url.isEmpty())
            row += u" <a href=\"%1\">%2</a>"_s.arg(e.url.toHtmlEscaped(), e.url.toHtmlEscaped());
        html << row;
    }
    m_evidence->setText(html.join(u"<br>"_s));
    m_evidence->setToolTip(evidenceLines(rows).join(u'\n'));
    m_evidence->setVisible(!rows.isEmpty());
}

void CanaryStagePanel::addSample(double secondsSinceStart, const Release::AxisCount &canary, const Release::AxisCount &baseline)
{
    m_canary->append(secondsSinceStart, canary.ratio() * 100.0);
    m_baseline->append(secondsSinceStart, baseline.ratio() * 100.0);
    double top = 1;
    for (const QLineSeries *s : {m_canary, m_baseline}) {
        for (const QPointF &p : s->points())
            top = std::max(top, p.y() * 1.2);
    }
    m_x->setRange(0, std::max(60.0, secondsSinceStart));
    m_y->setRange(0, top);
}

void CanaryStagePanel::refresh()
{
    if (!m_run) {
        m_verdict->setText(u"No canary is running."_s);
        showEvidence({});
        m_advance->setEnabled(false);
        m_abort->setEnabled(false);
        return;
    }
    const auto &rr = m_run->rollingRelease();
    const bool active = rr && rr->state == Services::RollingRelease::State::Active;
    const bool complete = rr && rr->state == Services::RollingRelease::State::Complete;
    const Release::StageVerdict &v = m_run->verdict();
    m_model->setProgress(m_run->stageIndex(), v, complete);
    QString text = m_run->stageIndex() < 0 ? u"Not started: %1"_s.arg(Release::StageVerdict::kindName(v.kind))
                                           : u"Stage %1 of %2: %3"_s.arg(m_run->stageIndex() + 1).arg(m_run->plan().size()).arg(Release::StageVerdict::kindName(v.kind));
    if (m_run->counts())
        text += u" · canary burn %1×, baseline %2×"_s.arg(QString::number(v.canaryBurn, 'f', 1), QString::number(v.baselineBurn, 'f', 1));
    if (!v.reasons.isEmpty())
        text += u"\n"_s + v.reasons.join(u"\n"_s);
    m_verdict->setText(text);
    showEvidence(v.evidence);
    const bool canAdvance = active && (v.kind == Release::StageVerdict::Kind::Advance || v.kind == Release::StageVerdict::Kind::Wait)
                            && m_run->stageIndex() + 1 < m_run->plan().size();
    m_advance->setEnabled(canAdvance && !m_run->armed());
    m_advance->setText(canAdvance ? u"Advance to stage %1 (%2 %)…"_s.arg(m_run->stageIndex() + 2).arg(m_run->plan().at(m_run->stageIndex() + 1).trafficPercent)
                                  : u"Advance stage…"_s);
    m_abort->setEnabled(active);
    if (m_run->counts()) {
        const Clock &clock = m_clock ? *m_clock : Clock::system();
        if (m_startMs < 0)
            m_startMs = clock.nowMs();
        addSample((clock.nowMs() - m_startMs) / 1000.0, m_run->counts()->canary, m_run->counts()->baseline);
    }
}

} // namespace Raize::Ui

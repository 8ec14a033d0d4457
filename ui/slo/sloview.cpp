#include "slo/sloview.h"
#include "canary/canarystagepanel.h"
#include "release/canaryrun.h"
#include "widgets/confirmation.h"
#include "workspace/canarysession.h"

#include "timeline/whatchangedpanel.h"
#include "widgets/stalelabel.h"
#include "rollback/defaultscope.h"

#include "slo/autopacingpanel.h"
#include "slo/sloverdictmodel.h"

#include "policy/policybundle.h"
#include "workspace/effectivepolicy.h"
#include "release/flagpoller.h"
#include "slo/lttb.h"
#include "slo/sloengine.h"
#include "services/prometheus/slometrics.h"
#include "slo/slopolicy.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QFrame>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QMetaMethod>
#include <QPointer>
#include <QPushButton>
#include <QTableView>
#include <QToolTip>
#include <QValueAxis>
#include <QScrollArea>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

constexpr qint64 BurnWindowMs = Slo::HourMs; // the chart's burn: the first page rule's long window

const QList<QColor> &cohortColors()
{
    static const QList<QColor> colors = {QColor(0xc6, 0x28, 0x28), QColor(0x15, 0x65, 0xc0), QColor(0x2e, 0x7d, 0x32),
                                         QColor(0x6a, 0x1b, 0x9a), QColor(0xef, 0x6c, 0x00)};
    return colors;
}

QChartView *makeChartView(const QString &objectName, const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto *view = new QChartView(chart);
    view->setObjectName(objectName);
    view->setAccessibleName(title);
    view->setRenderHint(QPainter::Antialiasing, false);
    view->setMinimumHeight(250);
    return view;
}

QString burnText(double b)
{
    return QString::number(b, 'f', b < 10 ? 2 : 1) + u"×"_s;
}

} // namespace

SloView::SloView(QWidget *parent, const Clock &clock)
    : QWidget(parent)
    , m_monitor(new Release::RolloutMonitor(clock, this))
    , m_model(new SloVerdictModel(this))
{
    setObjectName(u"sloView"_s);
    // The page banner stays on top; everything else scrolls when the window is shorter than the view's
    // minimum (charts, the next stage, the two-axis canary): squeezed, they were drawn over each other.
    auto *outer = new QVBoxLayout(this);
    auto *scroll = new QScrollArea;
    scroll->setObjectName(u"sloScroll"_s);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setFocusPolicy(Qt::NoFocus);
    auto *content = new QWidget;
    content->setObjectName(u"sloContent"_s);
    scroll->setWidget(content);
    auto *root = new QVBoxLayout(content);
    root->setContentsMargins(0, 0, 0, 0);

    // The page alert: a red banner above everything, with the rollback plan of each cohort.
    m_banner = new QFrame;
    m_banner->setObjectName(u"pageAlertBanner"_s);
    m_banner->setStyleSheet(u"QFrame#pageAlertBanner { background: #b71c1c; border-radius: 4px; } QLabel { color: white; font-weight: bold; }"_s);
    auto *bannerLayout = new QHBoxLayout(m_banner);
    m_bannerText = new QLabel;
    m_bannerText->setObjectName(u"pageAlertText"_s);
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bannerLayout->addWidget(m_bannerText, 1);
    m_bannerButtons = new QVBoxLayout;
    bannerLayout->addLayout(m_bannerButtons);
    m_banner->hide();
    outer->addWidget(m_banner);
    outer->addWidget(scroll, 1);
    m_whatChanged = new WhatChangedPanel;
    m_whatChanged->setObjectName(u"sloWhatChanged"_s);
    m_whatChanged->setMaximumHeight(220);
    m_whatChanged->hide();
    root->addWidget(m_whatChanged);
    // A refused policy bundle: the profile is read-only, and says why.
    m_policyNote = new QLabel;
    m_policyNote->setObjectName(u"sloPolicyNote"_s);
    m_policyNote->setWordWrap(true);
    m_policyNote->setStyleSheet(u"color: #b3261e; font-weight: bold;"_s);
    m_policyNote->hide();
    root->addWidget(m_policyNote);

    auto *top = new QHBoxLayout;
    m_status = new QLabel(u"Prometheus is not configured (Settings → Prometheus URL)."_s);
    m_status->setObjectName(u"sloStatus"_s);
    m_status->setWordWrap(true);
    top->addWidget(m_status, 1);
    m_stale = new StaleLabel(u"sloStale"_s);
    top->addWidget(m_stale);
    top->addWidget(new QLabel(u"SLO:"_s));
    m_sloCombo = new QComboBox;
    m_sloCombo->setObjectName(u"sloCombo"_s);
    top->addWidget(m_sloCombo);
    top->addWidget(new QLabel(u"Range:"_s));
    m_rangeCombo = new QComboBox;
    m_rangeCombo->setObjectName(u"rangeCombo"_s);
    m_rangeCombo->addItem(u"6 hours"_s, 6 * Slo::HourMs);
    m_rangeCombo->addItem(u"24 hours"_s, Slo::DayMs);
    m_rangeCombo->addItem(u"3 days"_s, 3 * Slo::DayMs);
    m_rangeCombo->addItem(u"30 days"_s, 30 * Slo::DayMs);
    m_rangeCombo->setCurrentIndex(1);
    top->addWidget(m_rangeCombo);
    m_rangeLabel = new QLabel;
    m_rangeLabel->setObjectName(u"sloRangeLabel"_s);
    m_rangeLabel->hide();
    top->addWidget(m_rangeLabel);
    root->addLayout(top);

    m_table = new QTableView;
    m_table->setObjectName(u"sloVerdictTable"_s);
    m_table->setAccessibleName(u"SLO verdicts"_s);
    m_table->setModel(m_model);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->horizontalHeader()->setTextElideMode(Qt::ElideRight);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    root->addWidget(m_table);

    // Three charts side by side, each the full height of the row: stacked, the
    // budget's and the lanes' axes had no room for their labels.
    auto *charts = new QHBoxLayout;
    m_burnView = makeChartView(u"burnChart"_s, u"Burn rate per cohort (1 h window)"_s);
    charts->addWidget(m_burnView, 5);
    m_budgetView = makeChartView(u"budgetChart"_s, u"Error budget left (30 days)"_s);
    charts->addWidget(m_budgetView, 3);
    auto *side = new QVBoxLayout;
    auto *laneHeader = new QHBoxLayout;
    laneHeader->addWidget(new QLabel(u"Lanes of:"_s));
    m_laneCohortCombo = new QComboBox;
    m_laneCohortCombo->setObjectName(u"laneCohortCombo"_s);
    laneHeader->addWidget(m_laneCohortCombo, 1);
    side->addLayout(laneHeader);
    m_laneView = makeChartView(u"laneChart"_s, u"Burn rate by lane (1 h window)"_s);
    side->addWidget(m_laneView, 1);
    charts->addLayout(side, 4);
    root->addLayout(charts, 1);

    // The next stage: what the policy allows, with its evidence.
    auto *rec = new QGroupBox(u"Next rollout stage"_s);
    rec->setObjectName(u"recommendationPanel"_s);
    auto *recLayout = new QHBoxLayout(rec);
    auto *form = new QFormLayout;
    m_levelCombo = new QComboBox;
    m_levelCombo->setObjectName(u"levelCombo"_s);
    m_levelCombo->addItems({u"L0"_s, u"L1"_s, u"L2"_s, u"L3"_s});
    m_levelCombo->setCurrentIndex(3);
    form->addRow(u"Release level:"_s, m_levelCombo);
    m_stageCombo = new QComboBox;
    m_stageCombo->setObjectName(u"stageCombo"_s);
    form->addRow(u"Current stage:"_s, m_stageCombo);
    m_stageStart = new QDateTimeEdit(clock.nowUtc());
    m_stageStart->setObjectName(u"stageStartEdit"_s);
    m_stageStart->setTimeSpec(Qt::UTC);
    m_stageStart->setDisplayFormat(u"yyyy-MM-dd HH:mm 'UTC'"_s);
    form->addRow(u"Stage flags on since:"_s, m_stageStart);
    m_confirmBox = new QWidget;
    m_confirmLayout = new QVBoxLayout(m_confirmBox);
    m_confirmLayout->setContentsMargins(0, 0, 0, 0);
    form->addRow(u"Operator confirms:"_s, m_confirmBox);
    m_autoPacing = new QLabel;
    m_autoPacing->setObjectName(u"autoPacingLabel"_s);
    m_autoPacing->setWordWrap(true);
    form->addRow(m_autoPacing);
    m_pacing = new AutoPacingPanel;
    m_pacing->setMonitor(m_monitor);
    form->addRow(m_pacing);
    recLayout->addLayout(form, 2);
    auto *out = new QVBoxLayout;
    m_headline = new QLabel(u"No data yet."_s);
    m_headline->setObjectName(u"recommendationHeadline"_s);
    m_headline->setWordWrap(true);
    m_headline->setStyleSheet(u"font-weight: bold; font-size: 12pt;"_s);
    out->addWidget(m_headline);
    m_evidence = new QListWidget;
    m_evidence->setObjectName(u"recommendationEvidence"_s);
    m_evidence->setAccessibleName(u"Evidence"_s);
    m_evidence->setWordWrap(true);
    out->addWidget(m_evidence, 1);
    recLayout->addLayout(out, 3);
    rec->setMaximumHeight(300);
    root->addWidget(rec);

    // The two-axis canary (issue #20): the stage plan, its verdict and canary vs baseline, when the release runs
    // on two axes; the reason when it is flag-only.
    auto *canaryBox = new QGroupBox(u"Two-axis canary — Vercel rolling release and flag cohorts"_s);
    canaryBox->setObjectName(u"canaryBox"_s);
    m_canaryBox = canaryBox;
    auto *canaryLayout = new QVBoxLayout(canaryBox);
    m_canaryNote = new QLabel(u"Canary axes: not chosen yet (no workspace)."_s);
    m_canaryNote->setObjectName(u"canaryNote"_s);
    m_canaryNote->setWordWrap(true);
    canaryLayout->addWidget(m_canaryNote);
    m_canaryPanel = new CanaryStagePanel;
    canaryLayout->addWidget(m_canaryPanel, 1);
    m_canaryMessage = new QLabel;
    m_canaryMessage->setObjectName(u"canaryMessage"_s);
    m_canaryMessage->setWordWrap(true);
    m_canaryMessage->hide();
    canaryLayout->addWidget(m_canaryMessage);
    m_canaryPanel->hide();
    // Starting one: the deployment to canary and the release's flags, at the level chosen above.
    m_canaryStartRow = new QWidget;
    auto *startRow = new QHBoxLayout(m_canaryStartRow);
    startRow->setContentsMargins(0, 0, 0, 0);
    m_canaryDeployment = new QLineEdit;
    m_canaryDeployment->setObjectName(u"canaryDeployment"_s);
    m_canaryDeployment->setAccessibleName(u"Canary deployment"_s);
    m_canaryDeployment->setPlaceholderText(u"deployment to canary (dpl_…)"_s);
    m_canaryFlags = new QLineEdit;
    m_canaryFlags->setObjectName(u"canaryFlags"_s);
    m_canaryFlags->setAccessibleName(u"Release flags"_s);
    m_canaryFlags->setPlaceholderText(u"the release's flags, comma-separated"_s);
    m_canaryStart = new QPushButton(u"Start canary…"_s);
    m_canaryStart->setObjectName(u"canaryStart"_s);
    startRow->addWidget(m_canaryDeployment, 1);
    startRow->addWidget(m_canaryFlags, 2);
    startRow->addWidget(m_canaryStart);
    m_canaryStartRow->hide();
    canaryLayout->insertWidget(1, m_canaryStartRow);
    root->addWidget(canaryBox);
    connect(m_canaryStart, &QPushButton::clicked, this, &SloView::startCanary);
    connect(m_levelCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (m_canary && !m_canary->run())
            m_canary->chooseAxes(m_levelCombo->currentText(), {});
    });
    connect(m_canaryPanel, &CanaryStagePanel::advanceRequested, this, &SloView::advanceCanary);
    connect(m_canaryPanel, &CanaryStagePanel::abortRequested, this, &SloView::canaryAbortRequested);

    connect(m_sloCombo, &QComboBox::currentIndexChanged, this, &SloView::redraw);
    connect(m_laneCohortCombo, &QComboBox::currentIndexChanged, this, [this] { drawLaneChart(); });
    connect(m_rangeCombo, &QComboBox::currentIndexChanged, this, &SloView::rangeChosen);
    // Choosing the item already shown goes back to following the newest data after a linked range.
    connect(m_rangeCombo, &QComboBox::activated, this, [this] {
        if (!m_followNow)
            rangeChosen();
    });
    connect(m_levelCombo, &QComboBox::currentIndexChanged, this, [this] { m_monitor->setLevel(m_levelCombo->currentText()); });
    connect(m_stageCombo, &QComboBox::currentIndexChanged, this, &SloView::stageChosen);
    connect(m_stageStart, &QDateTimeEdit::dateTimeChanged, this, &SloView::stageChosen);
    // The monitor decides; the view shows what it decided.
    connect(m_monitor, &Release::RolloutMonitor::evaluated, this, [this] {
        showVerdicts();
        updateAlert();
        showRecommendation();
    });
    connect(m_monitor, &Release::RolloutMonitor::stageChanged, this, &SloView::stageMoved);

    setPolicy(EffectivePolicy::builtin());
}

SloView::~SloView() = default;

Status SloView::setPolicy(const Policy::Bundle &bundle)
{
    const Result<EffectivePolicy> p = EffectivePolicy::build(bundle, std::nullopt);
    if (!p)
        return p.error();
    setPolicy(*p);
    return okStatus();
}

Status SloView::setPolicy(const Policy::Bundle &bundle, const QList<Release::Cohort> &cohorts)
{
    const Result<EffectivePolicy> p = EffectivePolicy::build(bundle, std::nullopt);
    if (!p)
        return p.error();
    const Result<EffectivePolicy> withCohorts = p->withCohorts(cohorts);
    if (!withCohorts)
        return withCohorts.error();
    setPolicy(*withCohorts);
    return okStatus();
}

QString SloView::policyNote() const
{
    return m_policyNote->isHidden() ? QString() : m_policyNote->text();
}

void SloView::setPolicy(const EffectivePolicy &effective)
{
    // The rollout monitor reads the effective policy's typed parts (auto-pacing off when read-only).
    const Release::RolloutMonitorPolicy policy = effective.rolloutMonitor();
    m_slos = policy.slos;
    m_rules = policy.rules;
    m_cohorts = policy.cohorts;
    m_policyNote->setText(effective.readOnly() ? effective.describe() : QString());
    m_policyNote->setVisible(effective.readOnly());

    // A new cohort list keeps what the operator chose where it still exists.
    const QVariant sloWas = m_sloCombo->currentData(), laneWas = m_laneCohortCombo->currentData(), stageWas = m_stageCombo->currentData();
    const QSignalBlocker b1(m_sloCombo), b2(m_laneCohortCombo), b3(m_stageCombo);
    m_sloCombo->clear();
    for (const Slo::SloSpec &s : std::as_const(m_slos))
        m_sloCombo->addItem(s.title, s.id);
    m_laneCohortCombo->clear();
    for (const Release::Cohort &c : std::as_const(m_cohorts))
        m_laneCohortCombo->addItem(c.name, c.id);
    m_stageCombo->clear();
    for (const Release::RolloutStage &s : std::as_const(policy.rollout.stages))
        m_stageCombo->addItem(s.name, s.id);
    m_stageCombo->setCurrentIndex(policy.rollout.stages.size() > 1 ? 1 : 0);
    for (const auto &[combo, was] : {std::pair{m_sloCombo, sloWas}, std::pair{m_laneCohortCombo, laneWas}, std::pair{m_stageCombo, stageWas}}) {
        if (const int i = combo->findData(was); was.isValid() && i >= 0)
            combo->setCurrentIndex(i);
    }
    m_autoPacing->setText(effective.readOnly()
                              ? u"Auto-pacing cannot be armed: the profile is read-only until its policy bundle is fixed."_s
                          : policy.rollout.autoPacing
                              ? u"Auto-pacing is on in the policy: the console expands by itself only once an operator arms it for this rollout, one stage at a time, every step audited."_s
                              : u"Auto-pacing is off (policy canary.autoPacing): the console never expands a rollout by itself."_s);
    m_monitor->setPolicy(policy); // a changed policy or cohort list stops an armed auto-pacing
    m_monitor->setLevel(m_levelCombo->currentText());
    stageChosen();
}

void SloView::setSources(Slo::SloFeed *recent, Slo::SloFeed *history, Release::FlagPoller *flags)
{
    for (QObject *o : {static_cast<QObject *>(m_recent), static_cast<QObject *>(m_history), static_cast<QObject *>(m_flags)}) {
        if (o)
            disconnect(o, nullptr, this, nullptr);
    }
    m_recent = recent;
    m_history = history;
    m_flags = flags;
    if (m_recent) {
        connect(m_recent, &Slo::SloFeed::loaded, this, &SloView::feedLoaded);
        connect(m_recent, &Slo::SloFeed::failed, this, [this](const Error &e) {
            m_status->setText(u"Cannot read the SLO counters from Prometheus: %1 %2"_s.arg(e.message, e.remedy));
        });
    }
    if (m_history)
        connect(m_history, &Slo::SloFeed::loaded, this, &SloView::redraw);
    if (m_flags) {
        // An armed auto-pacing decides on each new read-back (and stops on a page alert).
        connect(m_flags, &Release::FlagPoller::updated, this, [this] { m_monitor->setFlags(m_flags->snapshot()); });
        m_monitor->setFlags(m_flags->snapshot());
    } else {
        m_monitor->setFlags({});
    }
    feedLoaded();
}

qint64 SloView::nowMs() const
{
    return m_recent && !m_recent->data().isEmpty() ? m_recent->data().toMs : QDateTime::currentMSecsSinceEpoch();
}

const Slo::SloSpec *SloView::selectedSlo() const
{
    const QString id = m_sloCombo->currentData().toString();
    for (const Slo::SloSpec &s : m_slos) {
        if (s.id == id)
            return &s;
    }
    return nullptr;
}

void SloView::feedLoaded()
{
    if (m_recent && !m_recent->data().isEmpty()) {
        const Slo::SloData &d = m_recent->data();
        m_status->setText(u"Burn rates of %1 SLOs × %2 cohorts at %3 UTC, from Prometheus range data (1-minute steps)."_s
                              .arg(m_slos.size())
                              .arg(m_cohorts.size())
                              .arg(QDateTime::fromMSecsSinceEpoch(d.toMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm"_s)));
        if (m_followNow) {
            const qint64 range = m_rangeCombo->currentData().toLongLong();
            m_toMs = d.toMs;
            m_fromMs = d.toMs - range;
        }
        m_monitor->setSeries({d.byCohort, d.toMs});
    } else {
        if (m_recent)
            m_status->setText(u"Reading the SLO counters from Prometheus…"_s);
        m_monitor->setSeries({});
    }
    redraw();
}

void SloView::showVerdicts()
{
    QStringList ids, names;
    for (const Release::Cohort &c : std::as_const(m_cohorts)) {
        ids << c.id;
        names << c.name;
    }
    m_model->setVerdicts(m_slos, ids, names, m_monitor->verdicts());
    m_table->resizeRowsToContents();
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + m_table->verticalHeader()->length() + 2 * m_table->frameWidth());
}

Rollback::Scope SloView::rollbackScope(const Release::Cohort &cohort)
{
    return Rollback::scopeOfCohort(cohort); // the same scope the rollback plan's default scope names
}

void SloView::updateAlert()
{
    const QList<Release::PageAlert> alerts = m_monitor->alerts();
    const bool wasShown = m_alertWasShown;
    m_alertWasShown = !alerts.isEmpty();
    while (QLayoutItem *item = m_bannerButtons->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    Q_EMIT alertsChanged();
    if (alerts.isEmpty()) {
        m_banner->hide();
        m_bannerText->clear();
        return;
    }
    QStringList lines;
    for (const Release::PageAlert &a : alerts) {
        lines << u"PAGE — %1: the error budget burns at page level while canary flags are on (%2)."_s.arg(a.cohort.name, a.flags.join(u", "_s));
        for (const QString &e : a.evidence)
            lines << u"    "_s + e;
        const Rollback::Scope scope = rollbackScope(a.cohort);
        const QStringList keys = a.flags;
        lines << u"    Rollback plan (playbook §7.2): turn off %1 for %2."_s.arg(keys.join(u", "_s), scope.describe());
        // The button only where a rollback dialog listens: no button that does nothing.
        if (isSignalConnected(QMetaMethod::fromSignal(&SloView::rollbackPlanRequested))) {
            auto *button = new QPushButton(u"Open the rollback plan for %1…"_s.arg(a.cohort.name));
            button->setObjectName(u"rollbackPlanButton-"_s + a.cohort.id);
            connect(button, &QPushButton::clicked, this, [this, scope, keys] { Q_EMIT rollbackPlanRequested(scope, keys); });
            m_bannerButtons->addWidget(button);
        }
    }
    m_bannerText->setText(lines.join(u'\n'));
    m_banner->show();
    if (!wasShown && window())
        QApplication::alert(window()); // the taskbar entry asks for attention, also when the console is in the background
}

void SloView::setStaleSince(const QDateTime &since, const QString &reason)
{
    m_stale->setSince(since, reason);
}

Release::PageScope SloView::pageScope(const Release::PageAlert &alert)
{
    Release::PageScope scope;
    scope.cohorts = {alert.cohort.id};
    if (!alert.cohort.everyone())
        scope.clients = alert.cohort.clientIds + alert.cohort.platformAccountIds;
    scope.flags = alert.flags;
    return scope;
}

bool SloView::alertShown() const
{
    return !m_monitor->alerts().isEmpty() && !m_banner->isHidden();
}

QString SloView::alertText() const
{
    return m_bannerText->text();
}

QString SloView::statusText() const
{
    return m_status->text();
}

void SloView::updateConfirmations()
{
    for (QCheckBox *c : std::as_const(m_confirmChecks))
        delete c;
    m_confirmChecks.clear();
    const int stage = m_stageCombo->currentIndex();
    const QList<Release::RolloutStage> &stages = m_monitor->policy().rollout.stages;
    if (stage < 0 || stage >= stages.size())
        return;
    for (const QString &text : stages[stage].confirmations) {
        auto *check = new QCheckBox(text);
        check->setObjectName(u"confirm-%1"_s.arg(m_confirmChecks.size()));
        check->setChecked(m_monitor->confirmed().contains(text));
        connect(check, &QCheckBox::toggled, this, &SloView::confirmationsChanged);
        m_confirmLayout->addWidget(check);
        m_confirmChecks << check;
    }
}

void SloView::confirmationsChanged()
{
    QSet<QString> confirmed;
    for (QCheckBox *c : std::as_const(m_confirmChecks)) {
        if (c->isChecked())
            confirmed.insert(c->text());
    }
    m_monitor->setConfirmed(confirmed);
}

void SloView::stageChosen()
{
    // The operator's stage and start; the new stage's confirmations start unticked.
    m_monitor->setStage(m_stageCombo->currentIndex(), m_stageStart->dateTime().toMSecsSinceEpoch());
    updateConfirmations();
}

void SloView::stageMoved(int stage, qint64 sinceMs)
{
    // Auto-pacing's read-back moved the release: the view follows without deciding anything.
    {
        const QSignalBlocker b1(m_stageCombo), b2(m_stageStart);
        m_stageCombo->setCurrentIndex(stage);
        m_stageStart->setDateTime(QDateTime::fromMSecsSinceEpoch(sinceMs, Qt::UTC));
    }
    updateConfirmations();
}

void SloView::showRecommendation()
{
    const Release::Recommendation &r = m_monitor->recommendation();
    m_evidence->clear();
    const QString color = r.kind == Release::Recommendation::Kind::ExpandAllowed ? u"#2e7d32"_s
                          : r.kind == Release::Recommendation::Kind::Wait    ? u"#ef6c00"_s
                                                                             : u"#b71c1c"_s;
    m_headline->setStyleSheet(u"font-weight: bold; font-size: 12pt; color: %1;"_s.arg(color));
    m_headline->setText(r.headline);
    m_evidence->addItems(r.evidence);
}

void SloView::setChangePath(Release::FlagChangeRunner *runner, Records::AuditSink *audit)
{
    m_monitor->setChangePath(runner, audit);
}

int SloView::currentStage() const
{
    return m_stageCombo->currentIndex();
}

void SloView::setCurrentStage(int stage, qint64 flagsOnSinceMs)
{
    {
        const QSignalBlocker b1(m_stageCombo), b2(m_stageStart);
        m_stageCombo->setCurrentIndex(stage);
        m_stageStart->setDateTime(QDateTime::fromMSecsSinceEpoch(flagsOnSinceMs, Qt::UTC));
    }
    stageChosen();
}

void SloView::rangeChosen()
{
    const qint64 range = m_rangeCombo->currentData().toLongLong();
    m_followNow = true;
    m_toMs = nowMs();
    m_fromMs = m_toMs - range;
    updateRangeLabel();
    Q_EMIT timeRangeChanged(m_fromMs, m_toMs);
    redraw();
}

void SloView::setTimeRange(qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs || (fromMs == m_fromMs && toMs == m_toMs))
        return;
    m_fromMs = fromMs;
    m_toMs = toMs;
    m_followNow = false;
    updateRangeLabel();
    Q_EMIT timeRangeChanged(fromMs, toMs);
    redraw();
}

void SloView::updateRangeLabel()
{
    // A range set from outside (the timeline) is not one of the combo's: say which it is.
    m_rangeLabel->setVisible(!m_followNow);
    if (m_followNow)
        return;
    const auto text = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(u"MM-dd HH:mm"_s); };
    m_rangeLabel->setText(u"shown: %1 – %2 UTC"_s.arg(text(m_fromMs), text(m_toMs)));
    m_rangeLabel->setToolTip(u"The range follows the release timeline; choose a range here to follow the newest data again."_s);
}

void SloView::setMaxPointsPerLine(int points)
{
    m_maxPoints = points;
}

QChart *SloView::burnChart() const
{
    return m_burnView->chart();
}

void SloView::redraw()
{
    drawBurnChart();
    drawBudgetChart();
    drawLaneChart();
}

namespace {

// The feed whose data covers [from, to] at the finest step: the recent one
// when it reaches back far enough, else the history.
const Slo::SloData *dataFor(Slo::SloFeed *recent, Slo::SloFeed *history, qint64 fromMs)
{
    const qint64 needFrom = fromMs - BurnWindowMs;
    if (recent && !recent->data().isEmpty() && recent->data().fromMs <= needFrom)
        return &recent->data();
    if (history && !history->data().isEmpty())
        return &history->data();
    if (recent && !recent->data().isEmpty())
        return &recent->data();
    return nullptr;
}

// The part of [fromMs, toMs] the data can draw: a burn point needs a full
// window of counters before it, and nothing is drawn past the newest sample.
// A range wider than the data (the timeline zoomed out, or panned past the
// 30 days read) draws what there is instead of iterating empty time.
QPair<qint64, qint64> drawable(const Slo::SloData *d, qint64 fromMs, qint64 toMs)
{
    if (!d)
        return {fromMs, fromMs - 1};
    return {std::max(fromMs, d->fromMs + BurnWindowMs), std::min(toMs, d->toMs)};
}

// " — no data in this range" / " — data only from … to …", or nothing when the data covers the range.
QString coverageNote(const Slo::SloData *d, qint64 fromMs, qint64 toMs)
{
    if (!d)
        return {};
    const auto [from, to] = drawable(d, fromMs, toMs);
    const auto text = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(u"MM-dd HH:mm"_s); };
    if (from > to)
        return u" — no data in this range"_s;
    // A step of slack: the range ending "now" ends a moment after the newest sample.
    const qint64 slack = 2 * std::max<qint64>(d->stepMs, Slo::MinuteMs);
    if (from > fromMs + BurnWindowMs + slack || to < toMs - slack)
        return u" — data only %1 – %2 UTC"_s.arg(text(from), text(to));
    return {};
}

// A fresh chart for every redraw, filled before it goes into the view:
// removing series and axes from a chart in place leaves stale axes behind
// on Qt 6.4, and axes added to a chart already in a view lose their labels.
QChart *freshChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    return chart;
}

void install(QChartView *view, QChart *chart)
{
    QChart *old = view->chart();
    view->setChart(chart);
    delete old;
}

// Lines of burn over time with the page thresholds, on a shared time axis.
void drawBurnLines(QChart *chart, const QList<QPair<QString, QList<QPointF>>> &lines, const QList<double> &thresholds,
                   qint64 fromMs, qint64 toMs, QObject *context, int ticks)
{
    auto *x = new QDateTimeAxis;
    x->setFormat(toMs - fromMs > 90 * Slo::DayMs ? u"yyyy-MM-dd"_s
                 : toMs - fromMs > 2 * Slo::DayMs ? u"MM-dd"_s
                 : toMs - fromMs > 20 * Slo::HourMs ? u"MM-dd HH:mm"_s
                                                    : u"HH:mm"_s);
    x->setTitleText(u"UTC"_s);
    x->setRange(QDateTime::fromMSecsSinceEpoch(fromMs, Qt::UTC), QDateTime::fromMSecsSinceEpoch(toMs, Qt::UTC));
    x->setTickCount(ticks);
    auto *y = new QValueAxis;
    y->setTitleText(u"burn rate (×)"_s);
    y->setLabelFormat(u"%.0f"_s);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    double top = 1;
    for (double t : thresholds)
        top = std::max(top, t);
    int i = 0;
    for (const auto &[name, points] : lines) {
        auto *s = new QLineSeries;
        s->setName(name);
        s->setColor(cohortColors().at(i++ % cohortColors().size()));
        s->replace(points);
        for (const QPointF &p : points)
            top = std::max(top, p.y());
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        QObject::connect(s, &QLineSeries::hovered, context, [name](const QPointF &p, bool state) {
            if (!state) {
                QToolTip::hideText();
                return;
            }
            QToolTip::showText(QCursor::pos(), u"%1 · %2 UTC · %3"_s.arg(name,
                                                                         QDateTime::fromMSecsSinceEpoch(qint64(p.x()), Qt::UTC)
                                                                             .toString(u"MM-dd HH:mm"_s),
                                                                         burnText(p.y())));
        });
    }
    for (double t : thresholds) {
        auto *s = new QLineSeries;
        s->setName(u"page %1×"_s.arg(t));
        QPen pen(QColor(0x60, 0x60, 0x60));
        pen.setStyle(Qt::DashLine);
        s->setPen(pen);
        s->append(double(fromMs), t);
        s->append(double(toMs), t);
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    y->setRange(0, std::ceil(top * 1.1));
    y->applyNiceNumbers(); // ticks on round values (0, 5, 10, 15, 20), not fifths of the top
}

} // namespace

void SloView::drawBurnChart()
{
    const Slo::SloSpec *spec = selectedSlo();
    const Slo::SloData *d = dataFor(m_recent, m_history, m_fromMs);
    QList<double> thresholds;
    for (const Slo::BurnRule &r : std::as_const(m_rules)) {
        if (r.severity == Slo::Severity::Page && !thresholds.contains(r.burnRate))
            thresholds << r.burnRate;
    }
    QList<QPair<QString, QList<QPointF>>> lines;
    const auto [from, to] = drawable(d, m_fromMs, m_toMs);
    if (spec && d && from <= to) {
        const auto &byCohort = d->byCohort.value(spec->id);
        for (const Release::Cohort &c : std::as_const(m_cohorts)) {
            const auto it = byCohort.constFind(c.id);
            if (it == byCohort.cend())
                continue;
            const QList<QPointF> points = Slo::burnSeries(*it, spec->objective, BurnWindowMs, d->stepMs, from, to);
            lines.append({c.name, Slo::lttb(points, m_maxPoints)});
        }
    }
    QChart *chart = freshChart((spec ? u"Burn rate per cohort — %1 (1 h window)"_s.arg(spec->title) : u"Burn rate per cohort"_s)
                               + coverageNote(d, m_fromMs, m_toMs));
    drawBurnLines(chart, lines, thresholds, m_fromMs, m_toMs, this, 5);
    install(m_burnView, chart);
}

void SloView::drawLaneChart()
{
    const Slo::SloSpec *spec = selectedSlo();
    const Slo::SloData *d = dataFor(m_recent, m_history, m_fromMs);
    const QString cohort = m_laneCohortCombo->currentData().toString();
    QList<QPair<QString, QList<QPointF>>> lines;
    const auto [from, to] = drawable(d, m_fromMs, m_toMs);
    if (spec && d && from <= to) {
        const auto &byLane = d->byCohortLane.value(spec->id);
        for (const QString &lane : {u"api"_s, u"browser"_s}) {
            const auto it = byLane.constFind(cohort + u'/' + lane);
            if (it == byLane.cend())
                continue;
            const QList<QPointF> points = Slo::burnSeries(*it, spec->objective, BurnWindowMs, d->stepMs, from, to);
            lines.append({lane == u"api"_s ? u"API lane"_s : u"Browser lane"_s, Slo::lttb(points, m_maxPoints / 2)});
        }
    }
    QList<double> thresholds;
    if (!m_rules.isEmpty())
        thresholds << m_rules.first().burnRate;
    QChart *chart = freshChart(u"Burn rate by lane — %1 (1 h window)"_s.arg(m_laneCohortCombo->currentText()) + coverageNote(d, m_fromMs, m_toMs));
    drawBurnLines(chart, lines, thresholds, m_fromMs, m_toMs, this, 4);
    install(m_laneView, chart);
}

void SloView::drawBudgetChart()
{
    const Slo::SloSpec *spec = selectedSlo();
    const Slo::SloData *d = m_history && !m_history->data().isEmpty() ? &m_history->data() : nullptr;
    auto *set = new QBarSet(u"budget left (%)"_s);
    QStringList categories;
    if (spec && d) {
        const auto &byCohort = d->byCohort.value(spec->id);
        for (const Release::Cohort &c : std::as_const(m_cohorts)) {
            const auto it = byCohort.constFind(c.id);
            const Slo::BudgetStatus b = it == byCohort.cend() ? Slo::BudgetStatus{} : Slo::budgetRemaining(*spec, *it, d->toMs);
            if (!b.enoughData) {
                categories << c.id + u" (no data)"_s;
                set->append(0);
            } else {
                categories << c.id;
                set->append(std::max(-100.0, b.remaining * 100));
            }
        }
    }
    QChart *chart = freshChart(spec && d ? u"Error budget left — %1 (%2 days)"_s.arg(spec->title).arg(spec->windowDays)
                                                       : u"Error budget left (no 30-day data yet)"_s);
    auto *series = new QBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsFormat(u"@value %"_s);
    series->setLabelsPrecision(3);
    chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    auto *y = new QValueAxis;
    double lowest = 0;
    for (int i = 0; i < set->count(); ++i)
        lowest = std::min(lowest, set->at(i));
    y->setRange(lowest < 0 ? -100 : 0, 100); // overspent budgets go below zero
    y->setLabelFormat(u"%.0f%"_s);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    chart->legend()->hide();
    install(m_budgetView, chart);
}

void SloView::setCanary(CanarySession *session)
{
    if (m_canary)
        disconnect(m_canary, nullptr, this, nullptr);
    m_canary = session;
    m_canaryPanel->setRun(session ? session->run() : nullptr);
    if (session) {
        connect(session, &CanarySession::runChanged, this, [this] {
            m_canaryPanel->setRun(m_canary ? m_canary->run() : nullptr);
            showCanary();
        });
        connect(session, &CanarySession::updated, this, &SloView::showCanary);
        connect(session, &CanarySession::failed, this, [this](const Error &e) {
            m_canaryAdvancing = -1;
            m_canaryMessage->setText(u"The canary could not go on: %1 %2"_s.arg(e.toString(), e.remedy));
            m_canaryMessage->show();
        });
    }
    showCanary();
}

QString SloView::canaryNote() const
{
    return m_canaryNote->text();
}

void SloView::showCanary()
{
    if (m_canaryAdvancing >= 0 && m_canary && m_canary->run() && m_canary->run()->stageIndex() >= m_canaryAdvancing) {
        // The advance the operator confirmed is done: say so once, then the panel's verdict speaks.
        m_canaryMessage->setText(u"Stage %1 reached."_s.arg(m_canaryAdvancing + 1));
        m_canaryAdvancing = -1;
    }
    const std::optional<Release::AxisChoice> choice = m_canary ? m_canary->axisChoice() : std::nullopt;
    const bool running = m_canary && m_canary->run();
    if (choice)
        m_canaryPanel->setAxisChoice(*choice);
    // Two axes (or a rolling release already running): the panel; flag-only: why, in Vercel's words.
    const bool twoAxes = running || (choice && choice->deploymentAxis);
    m_canaryPanel->setVisible(twoAxes);
    const bool active = running && m_canary->run()->rollingRelease()
                        && m_canary->run()->rollingRelease()->state == Services::RollingRelease::State::Active;
    m_canaryStartRow->setVisible(twoAxes && !active);
    if (!m_canary)
        m_canaryNote->setText(u"Canary axes: not chosen yet (no workspace)."_s);
    else if (!choice && !running)
        m_canaryNote->setText(u"Canary axes: asking Vercel's rolling-release billing…"_s);
    else if (twoAxes)
        m_canaryNote->setText(running ? u"Canary of %1 (%2)"_s.arg(m_canary->target().canaryDeployment, m_canary->target().level)
                                      : u"No canary is running; a release of this level would run on two axes."_s);
    else
        m_canaryNote->setText(u"Flag axis only — %1"_s.arg(choice->reason));
}

void SloView::advanceCanary(int nextStage)
{
    if (!m_canary || !m_canary->run())
        return;
    const Release::CanaryRun &run = *m_canary->run();
    if (nextStage < 0 || nextStage >= run.plan().size())
        return;
    const Release::CanaryStage &to = run.plan().at(nextStage);
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::ProductionToggle;
    request.environment = u"production"_s;
    request.title = u"Advance the canary of %1 to stage %2 of %3?"_s.arg(m_canary->target().canaryDeployment).arg(nextStage + 1).arg(run.plan().size());
    QStringList plan;
    plan << u"POST rolling-release/approve-stage {nextStageIndex: %1, canaryDeploymentId: %2}: %3 % of production web traffic to the canary"_s
                .arg(nextStage)
                .arg(m_canary->target().canaryDeployment)
                .arg(to.trafficPercent);
    for (const QString &flag : m_canary->target().flags)
        plan << u"Serve %1 in production to cohorts %2"_s.arg(flag, to.cohorts.join(u", "_s));
    plan << u"Verdict now: %1 — %2"_s.arg(Release::StageVerdict::kindName(run.verdict().kind), run.verdict().reasons.join(u"; "_s));
    request.plan = plan.join(u'\n');
    request.acceptLabel = u"Advance to stage %1"_s.arg(nextStage + 1);
    if (!Confirmation::ask(this, request)) {
        m_canaryMessage->setText(u"Not advanced: the confirmation was cancelled; nothing was sent."_s);
        m_canaryMessage->show();
        return;
    }
    if (const Status st = m_canary->advance(nextStage); !st) {
        m_canaryMessage->setText(u"Not advanced: %1 %2"_s.arg(st.error().message, st.error().remedy));
        m_canaryMessage->show();
        return;
    }
    m_canaryAdvancing = nextStage;
    m_canaryMessage->setText(u"Advancing to stage %1 (%2 %)…"_s.arg(nextStage + 1).arg(to.trafficPercent));
    m_canaryMessage->show();
}

void SloView::startCanary()
{
    const QString deployment = m_canaryDeployment->text().trimmed();
    if (!m_canary || deployment.isEmpty()) {
        m_canaryMessage->setText(u"Name the deployment to canary (dpl_…)."_s);
        m_canaryMessage->show();
        m_canaryDeployment->setFocus(Qt::OtherFocusReason);
        return;
    }
    CanaryTarget target;
    target.canaryDeployment = deployment;
    target.level = m_levelCombo->currentText();
    for (const QString &f : m_canaryFlags->text().split(u',', Qt::SkipEmptyParts))
        target.flags << f.trimmed();
    const QList<Release::CanaryStage> plan = m_canary->deploymentAxis().stages.value(target.level);
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::ProductionToggle;
    request.environment = u"production"_s;
    request.title = u"Start the canary of %1 (%2)?"_s.arg(deployment, target.level);
    QStringList lines;
    lines << u"POST rolling-release/start {canaryDeploymentId: %1}: stage 1 of %2 of production web traffic to it"_s.arg(deployment).arg(plan.size());
    for (const QString &line : Release::describePlan(plan))
        lines << u"  "_s + line;
    for (const QString &flag : std::as_const(target.flags))
        lines << u"Serve %1 in production to cohorts %2"_s.arg(flag, plan.isEmpty() ? QString() : plan.first().cohorts.join(u", "_s));
    request.plan = lines.join(u'\n');
    request.acceptLabel = u"Start the canary"_s;
    if (!Confirmation::ask(this, request)) {
        m_canaryMessage->setText(u"Not started: the confirmation was cancelled; nothing was sent."_s);
        m_canaryMessage->show();
        return;
    }
    m_canaryMessage->setText(u"Starting the canary of %1…"_s.arg(deployment));
    m_canaryMessage->show();
    QPointer<SloView> self(this);
    m_canary->start(target, {}, [self, deployment](const Status &st) {
        if (!self)
            return;
        self->m_canaryMessage->setText(st ? (self->m_canary->startResumed() ? u"The canary of %1 was already running: resumed."_s.arg(deployment)
                                                                             : u"The canary of %1 started at stage 1."_s.arg(deployment))
                                          : u"Not started: %1 %2"_s.arg(st.error().message, st.error().remedy));
        self->showCanary();
    });
}

} // namespace Raize::Ui

#include "slo/autopacingpanel.h"

#include "release/flagchangerunner.h"
#include "release/flagpoller.h"
#include "widgets/confirmation.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

QString actor()
{
    return qEnvironmentVariable("USER", u"operator"_s);
}

} // namespace

AutoPacingPanel::AutoPacingPanel(QWidget *parent)
    : QWidget(parent)
    , m_status(new QLabel)
    , m_arm(new QPushButton(u"Start auto-pacing…"_s))
    , m_stop(new QPushButton(u"Stop auto-pacing"_s))
{
    setObjectName(u"autoPacingPanel"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_status->setObjectName(u"autoPacingStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    auto *buttons = new QHBoxLayout;
    m_arm->setObjectName(u"autoPacingArmButton"_s);
    m_stop->setObjectName(u"autoPacingStopButton"_s);
    // Stopping must be impossible to miss while it runs.
    m_stop->setStyleSheet(u"QPushButton { background: #b71c1c; color: white; font-weight: bold; padding: 4px 12px; }"_s);
    buttons->addWidget(m_arm);
    buttons->addWidget(m_stop);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(m_arm, &QPushButton::clicked, this, &AutoPacingPanel::arm);
    connect(m_stop, &QPushButton::clicked, this, &AutoPacingPanel::stop);
    refreshView();
}

AutoPacingPanel::~AutoPacingPanel() = default;

void AutoPacingPanel::setChangePath(Release::FlagChangeRunner *runner, Records::AuditSink *audit)
{
    if (m_pacer && m_pacer->armed())
        m_pacer->stop(u"the flag service or the audit log was reconfigured"_s, u"console"_s);
    delete m_pacer;
    m_pacer = nullptr;
    m_runner = runner;
    m_audit = audit;
    if (m_runner) {
        m_pacer = new Release::AutoPacer(m_runner, this);
        m_pacer->setAudit(m_audit);
        connect(m_pacer, &Release::AutoPacer::stateChanged, this, &AutoPacingPanel::refreshView);
        connect(m_pacer, &Release::AutoPacer::stageAdvanced, this, &AutoPacingPanel::stageAdvanced);
    }
    refreshView();
}

void AutoPacingPanel::setPolicy(bool allows, const QString &fingerprint, const QList<Release::Cohort> &cohorts)
{
    m_allows = allows;
    m_fingerprint = fingerprint;
    m_cohorts = cohorts;
    if (m_pacer && m_pacer->armed()) {
        if (!allows)
            m_pacer->stop(u"the policy no longer allows auto-pacing (canary.autoPacing is off)"_s, u"console"_s);
        else if (fingerprint != m_armedFingerprint)
            m_pacer->stop(u"the policy or the cohorts changed since auto-pacing was armed"_s, u"console"_s);
    }
    refreshView();
}

QStringList AutoPacingPanel::canaryFlags(int stage) const
{
    if (!m_poller || !m_poller->snapshot().hasData() || stage < 0 || stage >= m_plan.stages.size())
        return {};
    const QString cohortId = m_plan.stages[stage].stage.cohortId;
    for (const Release::Cohort &c : m_cohorts) {
        if (c.id == cohortId)
            return Release::canaryFlagsOn(m_poller->snapshot().flags, c, m_cohorts);
    }
    return {};
}

void AutoPacingPanel::evaluate(const Release::RolloutPlan &plan, int stage, const Release::Recommendation &recommendation,
                               const QList<Release::PageAlert> &alerts)
{
    m_plan = plan;
    m_stage = stage;
    if (m_pacer && m_pacer->armed()) {
        Release::AutoPacingInputs in;
        in.policyAllows = m_allows;
        in.policyChanged = m_fingerprint != m_armedFingerprint;
        for (const Release::PageAlert &a : alerts)
            in.pageAlerts << u"%1: %2"_s.arg(a.cohort.name, a.evidence.value(0));
        in.recommendation = recommendation;
        const bool fresh = m_poller && m_poller->snapshot().hasData() && !m_poller->snapshot().stale;
        if (!fresh && recommendation.kind == Release::Recommendation::Kind::ExpandAllowed) {
            // No change is planned from flags that were not read back just now.
            in.recommendation.kind = Release::Recommendation::Kind::Blocked;
            in.recommendation.headline = u"a fresh read-back of the flags (the flag service is stale or unread)"_s;
        }
        m_pacer->step(in, m_poller ? m_poller->snapshot().flags : QList<Services::FlagState>{});
    }
    refreshView();
}

void AutoPacingPanel::arm()
{
    if (!m_allows) {
        m_status->setText(u"Auto-pacing is off in the policy (canary.autoPacing): the console never expands a rollout by itself."_s);
        return;
    }
    if (!m_pacer || !m_poller || !m_poller->snapshot().hasData()) {
        m_status->setText(u"Auto-pacing needs the flag service (Settings → Flags) and its first read-back."_s);
        return;
    }
    const QString environment = m_poller->snapshot().environment;
    const QStringList flags = canaryFlags(m_stage);
    QList<Services::FlagState> states;
    for (const Services::FlagState &f : m_poller->snapshot().flags) {
        if (flags.contains(f.key))
            states << f;
    }
    const QStringList lines = Release::AutoPacer::armingPlan(m_plan, m_stage, states, environment);
    const QString current = m_stage >= 0 && m_stage < m_plan.stages.size() ? m_plan.stages[m_stage].stage.name : u"none"_s;
    const QString text = u"Auto-pacing turns on the next stage's flags by itself, one stage at a time, each time the recommendation "
                         u"says \"expand allowed\" (observation window over, every SLO with enough data and no burn alert, the "
                         u"operator's confirmations ticked). Every step is audited; \"Stop auto-pacing\" stops it at once, and it "
                         u"stops by itself on a page alert, a failed flag change or a policy/cohort change.\n\n"
                         u"Environment: %1\nCurrent stage: %2\nFlags: %3\n\nWhat it will do:\n%4"_s.arg(
                             environment, current, flags.isEmpty() ? u"none — no canary flag is on for this stage"_s : flags.join(u", "_s),
                             lines.isEmpty() ? u"nothing: there is no next stage"_s : u"• "_s + lines.join(u"\n• "_s));
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::AutoPacing;
    request.environment = environment;
    request.title = u"Start auto-pacing in %1?"_s.arg(environment);
    request.plan = text;
    request.acceptLabel = u"Start auto-pacing"_s;
    const bool yes = Confirmation::ask(this, request);
    if (!yes) {
        m_status->setText(u"Auto-pacing was not armed; nothing was sent."_s);
        return;
    }
    const Status s = m_pacer->arm(Release::RolloutPlan(m_plan), m_allows, m_stage, flags, lines, environment, actor(),
                                  QDateTime::currentMSecsSinceEpoch());
    if (!s) {
        m_status->setText(u"Auto-pacing was not armed: "_s + s.error().message);
        return;
    }
    m_armedFingerprint = m_fingerprint;
    refreshView();
}

void AutoPacingPanel::stop()
{
    if (m_pacer && m_pacer->armed())
        m_pacer->stop(u"stopped by %1"_s.arg(actor()), actor());
    refreshView();
}

QString AutoPacingPanel::statusText() const
{
    return m_status->text();
}

void AutoPacingPanel::refreshView()
{
    // Off in the policy: the console never expands by itself, and offers nothing to arm.
    setVisible(m_allows || (m_pacer && m_pacer->armed()));
    const bool armed = m_pacer && m_pacer->armed();
    m_arm->setVisible(!armed);
    m_arm->setEnabled(m_allows && m_pacer && m_runner && m_runner->configured());
    m_arm->setToolTip(m_arm->isEnabled() ? QString() : u"Needs the flag service (Settings → Flags) and an audit log."_s);
    m_stop->setVisible(armed);
    if (!m_pacer) {
        m_status->setText(u"Auto-pacing: not armed (the flag service is not configured)."_s);
        return;
    }
    QString text = m_pacer->statusText();
    if (!m_pacer->lastReport().isEmpty())
        text += u"\nLast flag change: "_s + m_pacer->lastReport();
    m_status->setStyleSheet(armed ? u"font-weight: bold; color: #0d47a1;"_s : QString());
    m_status->setText(text);
}

} // namespace Raize::Ui

#pragma once

#include "policy/sideeffectflags.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace Raize::Release {
class FlagPoller;
}

namespace Raize::Ui {

class FlagsModel;

// The Canary view's live part so far: the flags of the production
// environment as the flag service reports them, with degraded mode. The
// cohort toggle matrix (issue #8) builds on this.
class FlagsPane : public QWidget
{
    Q_OBJECT

public:
    explicit FlagsPane(QWidget *parent = nullptr);

    void setPoller(Release::FlagPoller *poller); // not owned; nullptr: not configured
    FlagsModel *model() const { return m_model; }
    QString statusText() const;
    // The policy's kill-switch parent (rollback.killSwitchParent, issue #16
    // item 3): the pane warns, naming them, when side-effect flags do not
    // depend on it (a P0 then turns those off one by one). Empty: no check.
    void setKillSwitchParent(const QString &parent, const Policy::SideEffectFlags &sideEffects);
    QString killSwitchParentText() const;

private:
    void refresh();

    Release::FlagPoller *m_poller = nullptr;
    FlagsModel *m_model;
    QTableView *m_table;
    QLabel *m_status;
    QLabel *m_parentWarning;
    QString m_parent;
    Policy::SideEffectFlags m_sideEffects;
};

} // namespace Raize::Ui

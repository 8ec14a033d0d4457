#pragma once

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

private:
    void refresh();

    Release::FlagPoller *m_poller = nullptr;
    FlagsModel *m_model;
    QTableView *m_table;
    QLabel *m_status;
};

} // namespace Raize::Ui

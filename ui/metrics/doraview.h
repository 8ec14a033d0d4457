#pragma once

// The Metrics view (issue #19, part 3): DORA's five metrics over the last 7,
// 30 or 90 days with their trend, computed by Dora::compute from the records
// a DoraCollector reads (the same function and records as
// `raize-console metrics dora`, docs/dora.md).

#include "release/dora.h"

#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;
class QPushButton;

namespace Raize::Release {
class DoraCollector;
}

namespace Raize::Ui {

class DoraView : public QWidget
{
    Q_OBJECT

public:
    // `collector` may be null (no Vercel project): the view says what to set.
    explicit DoraView(Release::DoraCollector *collector, QWidget *parent = nullptr);

    // Collects the records for the chosen period and shows them.
    void refresh();
    // The sources changed (the workspace opened its clients): read again now
    // when shown, else when next shown.
    void sourcesChanged();
    // Shows these records over [from, to) (the period selector's window, or a test's).
    void showRecords(const Release::Dora::Records &records, const QDateTime &from, const QDateTime &to,
                     const QStringList &warnings = {});
    const Release::Dora::Report &report() const { return m_report; }
    // Read at least once and nothing in flight (the screenshot waits for it).
    bool settled() const { return !m_collector || (m_read && !m_busy); }
    QString tileText(const QString &metric) const; // "frequency", "lead", "fail", "recovery", "rework"
    // The change-fail window (the policy's records.dora.changeFailWindowHours), applied at the next showRecords().
    void setChangeFailWindowSecs(qint64 secs) { m_changeFailWindowSecs = secs; }

Q_SIGNALS:
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    QLabel *tile(const QString &metric, const QString &title, const QString &tooltip);
    void render();

    Release::DoraCollector *m_collector;
    qint64 m_changeFailWindowSecs = Release::Dora::Options().changeFailWindowSecs;
    QComboBox *m_period;
    QPushButton *m_refresh;
    QLabel *m_status;
    QHash<QString, QLabel *> m_tiles;
    QChartView *m_deployChart;
    QChartView *m_leadChart;
    QLabel *m_notes;
    Release::Dora::Report m_report;
    QStringList m_warnings;
    bool m_busy = false;
    bool m_read = false; // read once when first shown
};

} // namespace Raize::Ui

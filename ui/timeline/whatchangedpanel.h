#pragma once

#include "release/whatchanged.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace Raize::Ui {

class WhatChangedModel;

// "What changed" before a page's onset (issue #19 item 2): the changes in the
// window before the burn began, ranked by how well they match the paging
// scope, each with the reason for its rank; a row opens where the change
// lives (GitHub, Vercel, the flag service). Shown in the SLOs view under the
// page alert and as a dialog from the page banner.
class WhatChangedPanel : public QWidget
{
    Q_OBJECT

public:
    explicit WhatChangedPanel(QWidget *parent = nullptr);

    // Ranks `changes` for the page (Release::whatChanged) and shows the result.
    void rank(const QList<Release::Change> &changes, const Release::PageScope &scope, qint64 onsetMs, qint64 windowMs,
              const QString &pageTitle);
    void clear();

    WhatChangedModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QString caption() const;

private:
    WhatChangedModel *m_model;
    QLabel *m_caption;
    QTableView *m_table;
};

} // namespace Raize::Ui

"""`kpi explain` states what the computation did: the weight a variant gave an indicator in the
explained period, and, of several vetoes, only the ones that held for the person."""
from __future__ import annotations

from click.testing import CliRunner

from kpi_engine.cli import cli

POLICY = """\
policy desk "客服考核" {
  period month
  subject staff
  calendar {
    promo "大促" 2026-11-01 .. 2026-11-11
  }
  dataset staff "员工" by employee_id { name: text }
  dataset tickets "工单" by agent_id at opened_at {
    solved: bool
    fast: bool
    fraud: bool
    complaint: bool
  }

  indicator solving "解决率" weight 60% {
    better higher
    measure share(tickets where solved)
    bands {
      >= 90% : 100
      else : 50
    }
  }
  indicator speed "及时率" weight 40% {
    better higher
    measure share(tickets where fast)
    bands {
      >= 90% : 100
      else : 0
    }
  }

  variant promo "大促期间" {
    weight solving 30%
    weight speed 70%
  }

  veto "虚假完单" if count(tickets where fraud) > 0
  veto "重大投诉" if count(tickets where complaint) > 0
}
"""

TICKETS = """\
agent_id,opened_at,solved,fast,fraud,complaint
E1,2026-10-05T09:00:00,true,true,false,false
E1,2026-11-05T09:00:00,true,false,false,false
E2,2026-10-06T09:00:00,true,true,true,false
E2,2026-11-06T09:00:00,true,true,true,false
E3,2026-11-07T09:00:00,true,true,true,true
"""


def explain(tmp_path, period: str, person: str) -> str:
    (tmp_path / "policy.kpi").write_text(POLICY, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "staff.csv").write_text("employee_id,name\nE1,甲\nE2,乙\nE3,丙\n", encoding="utf-8")
    (data / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(tmp_path / "policy.kpi"), "--data", str(data),
                                      "--period", period, "--person", person])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_heading_gives_the_variants_weight_that_the_contribution_uses(tmp_path):
    during = explain(tmp_path, "2026-11", "E1")
    assert "解决率 [solving] — weight 30% during 大促期间 (otherwise weight 60%), max 100" in during
    assert "score 100 of 100 → contributes 30 to the total" in during
    assert "及时率 [speed] — weight 70% during 大促期间 (otherwise weight 40%), max 100" in during
    assert "score 0 of 100 → contributes 0 to the total" in during
    outside = explain(tmp_path, "2026-10", "E1")
    assert "解决率 [solving] — weight 60%, max 100" in outside and "during" not in outside
    assert "contributes 60 to the total" in outside


def test_vetoed_names_only_the_vetoes_that_held(tmp_path):
    one = explain(tmp_path, "2026-11", "E2")
    assert 'VETOED (veto "虚假完单" if count(tickets where fraud) > 0): total becomes 0' in one
    both = explain(tmp_path, "2026-11", "E3")
    assert ('VETOED (veto "虚假完单" if count(tickets where fraud) > 0; '
            'veto "重大投诉" if count(tickets where complaint) > 0): total becomes 0') in both
    assert "VETOED" not in explain(tmp_path, "2026-11", "E1")

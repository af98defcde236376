#!/usr/bin/env python3
"""Writes the sample DMS exports beside this file, as a dealership's DMS would hand them over:

- dms_repair_orders.xlsx  维修工单明细: 进厂时间 as text "2026/10/05 14:03", 交车时间 as Excel date
                          cells, 维修时长 "3小时20分", 工时费 "1,234.50元", 配件费 "¥856.00", 产值 as number
                          cells, 是/否 flags; two cars still in the workshop (交车时间 empty)
- dms_jobs.csv            派工完工明细, saved by Excel on Chinese Windows (GBK): 维修周期(小时) "3.3" or
                          "1天2小时", 实际工时, 终检一次合格 是/否
- dms_followups.csv       回访记录, UTF-8 with BOM: 交车时间 "2026年10月5日 17:20", 满意度 "95%" (empty when
                          the customer was not reached), 推荐意愿 0-10

The same 22 orders run through all three. Rerun to rewrite them (deterministic):
    python plugins/automotive_4s/tests/exports/make_exports.py
"""
from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

ADVISORS = {"E00001": "郭颖辉", "E00005": "任鹏"}
TECHNICIANS = {"E00002": ("贾波", "A02"), "E00006": ("曹涛欣", "A06"), "E00003": ("段雪", "P03")}

# 工单号, 车牌号, 车型, 维修类型, 顾问工号, 技师工号, 进厂, 在厂分钟 (None: in the workshop), 接车秒,
# 工时, 工时费, 配件费, 其他费用, 毛利, 预约, 返修, 一次修复, 实际工时, 终检一次合格,
# 回访 (None: not reached; else (满意度%, 推荐意愿, 48小时内))
ORDERS = [
    ("RO2610050001", "川A·3K8Q2", "凯美瑞 2.0G", "机修", "E00001", "E00002", "2026-10-05 14:03", 200, 750,
     3.5, 1234.50, 856.00, 0, 1020.35, True, False, True, 3.2, True, (95, 9, True)),
    ("RO2610050002", "川A·7B1M9", "RAV4荣放", "保养", "E00005", "E00002", "2026-10-05 15:20", 95, 480,
     1.5, 480.00, 623.40, 0, 452.10, True, False, True, 1.4, True, (100, 10, True)),
    ("RO2610060003", "川A·D2260", "卡罗拉 1.2T", "保养", "E00001", "E00006", "2026-10-06 08:42", 80, 540,
     1.2, 384.00, 512.00, 30.00, 378.60, False, False, True, 1.3, True, (88, 8, True)),
    ("RO2610060004", "川G·58L11", "汉兰达", "钣喷", "E00005", "E00003", "2026-10-06 10:15", 2 * 1440 + 300, 905,
     12.0, 3840.00, 2210.00, 0, 2486.00, False, False, True, 11.0, True, (92, 9, True)),
    ("RO2610070005", "川A·9Q7T3", "凯美瑞 2.5Q", "索赔", "E00001", "E00002", "2026-10-07 09:30", 26 * 60, 660,
     4.0, 1280.00, 1875.50, 0, 812.40, True, False, True, 3.8, True, (97, 10, True)),
    ("RO2610070006", "川A·1F0C8", "雷凌", "保养", "E00005", "E00006", "2026-10-07 11:05", 45, 300,
     1.0, 320.00, 405.00, 0, 331.20, True, False, True, 0.9, True, None),
    ("RO2610080007", "川A·6H4D5", "威兰达", "机修", "E00001", "E00006", "2026-10-08 13:48", 4 * 60 + 25, 1210,
     5.0, 1600.00, 2450.80, 60.00, 1305.90, False, True, False, 5.5, False, (72, 6, True)),
    ("RO2610090008", "川A·2X3Y4", "亚洲龙", "保养", "E00001", "E00002", "2026-10-09 08:15", 110, 420,
     1.8, 576.00, 731.00, 0, 528.30, True, False, True, 1.6, True, (98, 9, True)),
    ("RO2610090009", "川A·8P5R1", "卡罗拉双擎", "机修", "E00005", "E00002", "2026-10-09 10:40", 22 * 60 + 10, 640,
     6.5, 2080.00, 3120.00, 0, 1774.50, False, False, True, 6.1, True, (90, 8, False)),
    ("RO2610100010", "川A·5S9W2", "C-HR", "钣喷", "E00001", "E00003", "2026-10-10 09:05", 3 * 1440 + 120, 780,
     9.5, 3040.00, 1580.00, 120.00, 2140.60, True, False, True, 9.8, True, (94, 9, True)),
    ("RO2610110011", "川A·3N6B7", "RAV4荣放", "保养", "E00005", "E00006", "2026-10-11 14:22", 100, 515,
     1.5, 480.00, 598.00, 0, 441.70, True, False, True, 1.5, True, (91, 8, True)),
    ("RO2610120012", "川A·0V2K6", "凯美瑞 2.0E", "机修", "E00001", "E00006", "2026-10-12 10:10", 4 * 60 + 5, 890,
     3.0, 960.00, 0.00, 0, 624.00, False, False, True, 2.7, True, (86, 7, True)),
    ("RO2610130013", "川A·7C3E1", "汉兰达", "索赔", "E00005", "E00002", "2026-10-13 15:55", 18 * 60, 700,
     2.5, 800.00, 2260.00, 0, 566.00, False, False, True, 2.6, True, None),
    ("RO2610140014", "川A·4M8U0", "雷凌", "保养", "E00001", "E00002", "2026-10-14 09:12", 75, 380,
     1.2, 384.00, 455.00, 0, 361.40, True, False, True, 1.1, True, (100, 10, True)),
    ("RO2610150015", "川A·6R2Q9", "威兰达", "钣喷", "E00005", "E00003", "2026-10-15 11:30", 2 * 1440 + 360, 1030,
     14.0, 4480.00, 3365.00, 0, 2963.50, False, True, False, 15.2, False, (65, 4, True)),
    ("RO2610180016", "川A·1T7L3", "亚洲龙", "机修", "E00001", "E00002", "2026-10-18 08:50", 9 * 60 + 40, 560,
     4.5, 1440.00, 1180.00, 0, 1097.20, True, False, True, 4.2, True, (93, 9, True)),
    ("RO2610200017", "川A·9D5H8", "卡罗拉 1.2T", "保养", "E00005", "E00006", "2026-10-20 16:05", 90, 455,
     1.5, 480.00, 612.00, 0, 447.90, True, False, True, 1.6, True, (96, 9, False)),
    ("RO2610220018", "川A·2G4J5", "RAV4荣放", "机修", "E00001", "E00006", "2026-10-22 10:33", 30 * 60 + 15, 1320,
     7.0, 2240.00, 4120.00, 0, 1859.00, False, False, True, 7.4, True, (89, 8, True)),
    ("RO2610250019", "川A·8K1N2", "C-HR", "保养", "E00005", "E00002", "2026-10-25 09:48", 85, 610,
     1.2, 384.00, 488.00, 0, 369.10, True, False, True, 1.2, True, (99, 10, True)),
    ("RO2610280020", "川A·5W6Z7", "凯美瑞 2.5Q", "机修", "E00001", "E00002", "2026-10-28 14:15", 3 * 60 + 50, 720,
     3.8, 1216.00, 1634.00, 0, 988.20, True, False, True, 3.6, True, (95, 9, True)),
    ("RO2610300021", "川A·3L9A4", "汉兰达", "钣喷", "E00001", "E00003", "2026-10-30 10:20", None, 840,
     11.0, 3520.00, 2890.00, 0, 2401.00, False, False, None, None, None, None),
    ("RO2610310022", "川A·7U2S6", "雷凌", "机修", "E00005", "E00006", "2026-10-31 15:40", None, 505,
     2.0, 640.00, 1320.00, 0, 782.00, True, False, None, None, None, None),
]


def _span(minutes: int) -> str:
    """维修时长 as the DMS prints it: 1天2小时5分, 3小时20分, 45分."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((days, "天"), (hours, "小时"), (mins, "分")) if n) or "0分"


def _clock(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}分{secs}秒" if secs else f"{minutes}分"


def _yes(flag) -> str:
    return "" if flag is None else "是" if flag else "否"


def repair_orders() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "维修工单明细"
    ws.append(["工单号", "门店", "车牌号", "车型", "维修类型", "服务顾问", "服务顾问工号", "主修技师", "进厂时间",
               "交车时间", "维修时长", "接车时长", "工时", "工时费", "配件费", "其他费用", "产值", "毛利",
               "是否预约", "是否返修", "一次修复", "工位"])
    for (no, plate, model, kind, adv, tech, opened, minutes, reception, hours, labour, parts, other, profit,
         booked, comeback, fixed, _clocked, _qc, _visit) in ORDERS:
        start = datetime.strptime(opened, "%Y-%m-%d %H:%M")
        closed = start + timedelta(minutes=minutes) if minutes is not None else None
        ws.append([no, "成都城南店", plate, model, kind, ADVISORS[adv], adv, TECHNICIANS[tech][0],
                   start.strftime("%Y/%m/%d %H:%M"), closed, _span(minutes) if minutes is not None else None,
                   _clock(reception), hours, f"{labour:,.2f}元", f"¥{parts:,.2f}", other or None,
                   round(labour + parts + other, 2), f"{profit:,.2f}元", _yes(booked), _yes(comeback),
                   _yes(fixed) or None, TECHNICIANS[tech][1]])
        if closed is not None:
            ws.cell(ws.max_row, 10).number_format = "yyyy/mm/dd hh:mm"
    wb.properties.creator = "DMS"
    wb.properties.created = datetime(2026, 11, 1, 8, 30)
    wb.properties.modified = datetime(2026, 11, 1, 8, 30)
    wb.save(HERE / "dms_repair_orders.xlsx")


def jobs() -> None:
    rows = [["工单号", "技师", "技师工号", "维修类型", "完工时间", "维修周期(小时)", "派工工时", "实际工时", "工时费",
             "是否返修", "一次修复", "终检一次合格", "工位"]]
    for (no, _plate, _model, kind, _adv, tech, opened, minutes, _reception, hours, labour, _parts, _other,
         _profit, _booked, comeback, fixed, clocked, qc, _visit) in ORDERS:
        if minutes is None:
            continue                      # not finished: not in the 完工 report
        start = datetime.strptime(opened, "%Y-%m-%d %H:%M")
        finished = start + timedelta(minutes=minutes - 20)
        cycle = _span(minutes - 20).replace("分", "分钟") if minutes >= 1440 else f"{(minutes - 20) / 60:.2f}"
        rows.append([no, TECHNICIANS[tech][0], tech, kind, finished.strftime("%Y-%m-%d %H:%M"), cycle,
                     f"{hours:g}", f"{clocked:g}", f"{labour:.2f}", _yes(comeback), _yes(fixed), _yes(qc),
                     TECHNICIANS[tech][1]])
    with open(HERE / "dms_jobs.csv", "w", encoding="gb18030", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


def followups() -> None:
    rows = [["回访单号", "工单号", "车牌号", "服务顾问", "服务顾问工号", "交车时间", "回访时间", "是否回访",
             "48小时内回访", "满意度", "推荐意愿", "回访备注"]]
    number = 0
    for (no, plate, _model, _kind, adv, _tech, opened, minutes, *_rest, visit) in ORDERS:
        if minutes is None:
            continue                      # not delivered: no 回访 yet
        number += 1
        start = datetime.strptime(opened, "%Y-%m-%d %H:%M")
        closed = start + timedelta(minutes=minutes)
        delivered = f"{closed.year}年{closed.month}月{closed.day}日 {closed:%H:%M}"
        if visit is None:
            rows.append([f"HF{number:05d}", no, plate, ADVISORS[adv], adv, delivered, "", "否", "否", "", "",
                         "三次未接通"])
            continue
        score, recommend, fast = visit
        called = (closed + timedelta(days=1 if fast else 3)).replace(hour=10 if fast else 15)
        note = "对接待和维修质量满意" if score >= 90 else "等待时间长" if score >= 80 else "返修不满意"
        rows.append([f"HF{number:05d}", no, plate, ADVISORS[adv], adv, delivered, f"{called:%Y-%m-%d %H:%M}",
                     "是", _yes(fast), f"{score}%", str(recommend), note])
    with open(HERE / "dms_followups.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


if __name__ == "__main__":
    repair_orders()
    jobs()
    followups()

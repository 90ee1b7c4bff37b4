#!/usr/bin/env python3
"""Deterministic synthetic action plans in the format of the bundled plan.

Usage: generate.py N OUT_DIR [SEED]

Each plan is a markdown news article with YAML front matter, like
data/plans/xiamen-metaverse-2022.md: sections 一、二、三, sub-sections
（一）…, numbered key tasks and safeguard measures ending in
（责任单位：…）. Cities vary; units are drawn with a skewed (Zipf-like)
frequency, so a few bureaus carry most items, as in real plans; texts name
technologies from the registry. Files are 8–15 KB. The same N and seed give
the same files, byte for byte.
"""

import os
import random
import sys

CITIES = ["厦门市", "福州市", "泉州市", "杭州市", "宁波市", "南京市", "苏州市", "成都市", "武汉市", "西安市",
          "合肥市", "长沙市", "郑州市", "济南市", "青岛市", "大连市", "沈阳市", "昆明市", "南宁市", "贵阳市"]
UNITS = ["市工信局", "市发改委", "市科技局", "市财政局", "市商务局", "市教育局", "市人社局", "市市场监管局",
         "市文旅局", "市金融监管局", "市委网信办", "市委组织部", "市公安局", "市自然资源局", "市住建局",
         "市交通局", "市卫健委", "市体育局", "市民政局", "市工商联", "市统计局", "市数据局", "各区政府",
         "各相关市直部门", "高新区管委会"]
TECH = ["人工智能", "区块链", "大数据", "云计算", "物联网", "5G", "数字孪生", "虚拟现实", "增强现实",
        "NFT", "脑机接口", "智能芯片", "工业互联网", "元宇宙", "虚拟数字人", "边缘计算"]
TOPICS = ["元宇宙", "数字经济", "人工智能", "智能制造", "数据要素", "区块链", "软件和信息服务"]
VERBS = ["加快", "推进", "支持", "鼓励", "强化", "完善", "培育", "打造", "深化", "提升"]
NOUNS = ["创新平台", "应用场景", "产业生态", "人才队伍", "投融资体系", "标准体系", "公共服务", "示范项目",
         "数据治理", "安全保障", "龙头企业", "产业联盟"]
HAN = "一二三四五六七八九十"


def zipf_units(rng, k):
    weights = [1.0 / (i + 1) for i in range(len(UNITS))]
    chosen = []
    while len(chosen) < k:
        u = rng.choices(UNITS, weights)[0]
        if u not in chosen:
            chosen.append(u)
    return chosen


def sentence(rng):
    techs = rng.sample(TECH, rng.randint(1, 3))
    return (f"{rng.choice(VERBS)}{rng.choice(NOUNS)}建设，围绕{'、'.join(techs)}等方向开展应用示范，"
            f"推动{rng.choice(TOPICS)}与实体经济深度融合，形成一批可复制推广的经验做法。")


def item(rng, number, title_words):
    body = "".join(sentence(rng) for _ in range(rng.randint(3, 6)))
    units = "、".join(zipf_units(rng, rng.randint(2, 7)))
    return f"{number}{rng.choice(VERBS)}{title_words}。{body}（责任单位：{units}）\n\n"


def plan(rng, i):
    city = CITIES[i % len(CITIES)]
    topic = rng.choice(TOPICS)
    start = 2020 + rng.randint(0, 4)
    title = f"{city}{topic}产业发展三年行动计划（{start}—{start + 2}年）"
    head = (f"---\ntitle: \"{city}印发{topic}三年行动计划\"\ndate: {start}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00+08:00\n"
            f"authors: [\"编辑部\"]\ndescription: \"{city}工业和信息化局印发《{title}》。\"\ntags: [\"{topic}\"]\n---\n\n"
            f"# {city}印发{topic}三年行动计划\n\n{city}工业和信息化局印发《{title}》。\n\n**{title}**\n\n"
            f"一、总体要求\n\n（一）发展思路\n\n{sentence(rng)}\n\n二、重点任务\n\n")
    out, n = [head], 1
    while sum(len(p.encode()) for p in out) < rng.randint(6500, 12000):
        sub = len(out)
        out.append(f"（{HAN[(sub - 1) % 10]}）{rng.choice(NOUNS)}行动\n\n")
        for _ in range(rng.randint(2, 4)):
            out.append(item(rng, f"{n}. ", rng.choice(NOUNS)))
            n += 1
    out.append("三、保障措施\n\n")
    for k in range(rng.randint(2, 4)):
        out.append(item(rng, f"（{HAN[k]}）", rng.choice(["加强组织保障", "加大政策支持", "强化宣传推广", "健全治理体系"])))
    return "".join(out)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20221
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        with open(os.path.join(out, f"plan-{i:05d}.md"), "w", encoding="utf-8") as f:
            f.write(plan(rng, i))


if __name__ == "__main__":
    main()

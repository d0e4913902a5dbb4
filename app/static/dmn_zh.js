// Chinese words for dmn-js's own labels (its `translate` service), for the rules editor in the
// Chinese UI (rule_editor.js adds this module when the page is in Chinese). Words missing here
// are shown as dmn-js writes them.
window.ChainqDmnZh = (function () {
  var zh = {
    "Activate hand tool": "抓手工具", "Activate lasso tool": "套索工具", "Add cell description": "添加单元格说明",
    "Add input": "添加输入", "Add input column left": "在左侧添加输入列", "Add input column right": "在右侧添加输入列",
    "Add output": "添加输出", "Add output column left": "在左侧添加输出列", "Add output column right": "在右侧添加输出列",
    "Add predefined values": "添加预定义值", "Add rule": "添加规则", "Add rule above": "在上方添加规则",
    "Add rule below": "在下方添加规则", "Add text annotation": "添加文本注释", "Add values": "添加值", "After": "之后",
    "And": "且", "Annotation": "注释", "Annotations": "注释", "Append business knowledge model": "追加业务知识模型",
    "Append decision": "追加决策", "Append input data": "追加输入数据", "Append knowledge source": "追加知识来源",
    "Before": "之前", "Between": "介于", "Boolean value": "布尔值", "Change cell expression language": "更改单元格表达式语言",
    "Change type": "更改类型", "Clear predefined values": "清除预定义值", "Comparison": "比较",
    "Comparison operator": "比较运算符", "Connect to other element": "连接到其他元素", "Copy input column": "复制输入列",
    "Copy output column": "复制输出列", "Copy rule": "复制规则", "Create decision": "新建决策",
    "Create decision service": "新建决策服务", "Create input data": "新建输入数据", "Create knowledge model": "新建知识模型",
    "Create knowledge source": "新建知识来源", "Custom values": "自定义值", "Cut input column": "剪切输入列",
    "Cut output column": "剪切输出列", "Cut rule": "剪切规则", "Date": "日期", "Date and time": "日期时间",
    "Date and time value": "日期时间值", "Date value": "日期值", "Decision name": "决策名称", "Decision name: ": "决策名称：",
    "Definition ID": "定义标识", "Definition name": "定义名称", "Delete": "删除", "Duration value": "时长值", "Edit": "编辑",
    "Edit boolean": "编辑布尔值", "Edit date": "编辑日期", "Edit date and time": "编辑日期时间", "Edit duration": "编辑时长",
    "Edit end date": "编辑结束日期", "Edit end date and time": "编辑结束日期时间", "Edit end time": "编辑结束时间",
    "Edit input": "编辑输入", "Edit number": "编辑数字", "Edit output": "编辑输出", "Edit start date": "编辑开始日期",
    "Edit start date and time": "编辑开始日期时间", "Edit start time": "编辑开始时间", "Edit string": "编辑文本",
    "Edit time": "编辑时间", "Editing not supported for set expression language": "此表达式语言不支持编辑",
    "End date": "结束日期", "End date and time": "结束日期时间", "End time": "结束时间", "End value": "结束值",
    "Enter expression": "输入表达式", "Equals": "等于", "Exactly": "恰好", "Exclude": "排除", "Expression": "表达式",
    "Expression language": "表达式语言", "Expression language:": "表达式语言：",
    "Expression language: {expressionLanguageLabel}": "表达式语言：{expressionLanguageLabel}", "Greater": "大于",
    "Greater or equals": "大于等于", "Hit policy": "命中策略", "Hit policy:": "命中策略：", "Include": "包含", "Input": "输入",
    "Input expression": "输入表达式", "Input expression: ": "输入表达式：", "Input label": "输入标签", "Input label: ": "输入标签：",
    "Input type": "输入类型", "Input values": "输入值", "Less": "小于", "Less or equals": "小于等于",
    "Literal expression editor": "文字表达式编辑器", "Match none": "不匹配", "Match one": "匹配其一", "Move rule": "移动规则",
    "No": "否", "No values": "无值", "Output": "输出", "Output label": "输出标签", "Output label: ": "输出标签：",
    "Output name": "输出名称", "Output name: ": "输出名称：", "Output type": "输出类型", "Output values": "输出值",
    "Paste input column left": "在左侧粘贴输入列", "Paste input column right": "在右侧粘贴输入列",
    "Paste output column left": "在左侧粘贴输出列", "Paste output column right": "在右侧粘贴输出列",
    "Paste rule above": "在上方粘贴规则", "Paste rule below": "在下方粘贴规则", "Predefined values": "预定义值",
    "Range": "区间", "Range end operator": "区间结束运算符", "Range end value": "区间结束值",
    "Range start operator": "区间开始运算符", "Range start value": "区间开始值", "Remove cell description": "删除单元格说明",
    "Remove input column": "删除输入列", "Remove output column": "删除输出列", "Remove rule": "删除规则", "Resize": "调整大小",
    "Set date": "设置日期", "Set date and time": "设置日期时间", "Set duration": "设置时长", "Set time": "设置时间",
    "Set value": "设置值", "Start date": "开始日期", "Start date and time": "开始日期时间", "Start time": "开始时间",
    "Start value": "开始值", "String value": "文本值", "Strings must be in double quotes": "文本须加双引号",
    "Test type": "判断方式", "Then": "则", "Time": "时间", "Time value": "时间值", "Type": "类型", "Use now": "使用当前时间",
    "Use today": "使用今天", "Value": "值", "Values": "值", "Variable name": "变量名", "Variable name:": "变量名：",
    "Variable type": "变量类型", "Variable type:": "变量类型：", "View DRD": "查看决策需求图", "When": "当", "Yes": "是",
    "Unique": "唯一", "First": "首个", "Priority": "优先级", "Any": "任一", "Collect": "收集", "Rule order": "规则顺序",
    "Output order": "输出顺序", "Sum": "求和", "Min": "最小值", "Max": "最大值", "Count": "计数", "name": "名称"
  };
  function translate(template, replacements) {
    var text = Object.prototype.hasOwnProperty.call(zh, template) ? zh[template] : template;
    return text.replace(/{([^}]+)}/g, function (whole, key) {
      return replacements && key in replacements ? replacements[key] : whole;
    });
  }
  return {translate: ["value", translate]};
})();

package initdata

// department is one studio department of a domain preset.
type department struct {
	name, color string
}

// taskType is one task type of a domain preset; dept names a department of
// the same preset.
type taskType struct {
	dept, name, color string
	priority          int
	forEntity         string
}

// taskStatus is one default task status with the flags Zou gives it.
type taskStatus struct {
	name, shortName, color string
	isDefault              bool
	isWIP                  bool
	isFeedbackRequest      bool
	isRetake               bool
	isDone                 bool
	forConcept             bool
	isArtistAllowed        bool
	isClientAllowed        bool
}

// preset is what init-data creates for one domain, in Zou's creation order.
type preset struct {
	assetTypes  []string
	departments []department
	taskTypes   []taskType
}

// Entity type names of Zou's for_entity column.
const (
	forAsset   = "Asset"
	forShot    = "Shot"
	forEdit    = "Edit"
	forConcept = "Concept"
)

// projectStatuses are created first, all with Zou's color #000000.
var projectStatuses = []string{"Open", "Closed"}

// projectStatusColor is the color Zou gives every project status it creates.
const projectStatusColor = "#000000"

// temporalTypes are the shot-side entity types (shots_service.get_*_type),
// then the Edit type (edits_service.get_edit_type), in that order.
var temporalTypes = []string{"Episode", "Sequence", "Shot", "Edit"}

// taskStatuses are created last, in this order; the first is
// tasks_service.get_default_status().
var taskStatuses = []taskStatus{
	{name: "Todo", shortName: "todo", color: "#f5f5f5", isDefault: true,
		isArtistAllowed: true, isClientAllowed: true},
	{name: "Work In Progress", shortName: "wip", color: "#3273dc", isWIP: true,
		isArtistAllowed: true, isClientAllowed: true},
	{name: "Waiting For Approval", shortName: "wfa", color: "#ab26ff", isFeedbackRequest: true,
		isArtistAllowed: true, isClientAllowed: true},
	{name: "Retake", shortName: "retake", color: "#ff3860", isRetake: true,
		isArtistAllowed: true, isClientAllowed: true},
	{name: "Done", shortName: "done", color: "#22d160", isDone: true,
		isArtistAllowed: true, isClientAllowed: true},
	{name: "Ready To Start", shortName: "ready", color: "#fbc02d",
		isArtistAllowed: true, isClientAllowed: true},
	{name: "Neutral", shortName: "neutral", color: "#CCCCCC", isDefault: true, forConcept: true,
		isArtistAllowed: true, isClientAllowed: true},
	{name: "Approved", shortName: "approved", color: "#66BB6A", forConcept: true,
		isArtistAllowed: true, isClientAllowed: true},
	{name: "Rejected", shortName: "rejected", color: "#E81123", forConcept: true,
		isArtistAllowed: true, isClientAllowed: true},
}

// Domains lists the domains Run accepts, as `zou init-data --domain` does.
var Domains = []string{"2d", "3d", "vfx", "games"}

// DefaultDomain is the domain of `zou init-data` without --domain.
const DefaultDomain = "3d"

// presets holds the per-domain asset types, departments and task types of
// Zou's _init_asset_types_for_domain and _init_task_types_for_domain.
var presets = map[string]preset{
	"3d": {
		assetTypes: []string{"Character", "Prop", "Environment", "FX"},
		departments: []department{
			{"Modeling", "#78909C"},
			{"Animation", "#009688"},
			{"FX", "#26C6DA"},
			{"Compositing", "#F06292"},
			{"Concept", "#8D6E63"},
			{"Layout", "#7CB342"},
		},
		taskTypes: []taskType{
			{"Concept", "Concept", "#8D6E63", 1, forAsset},
			{"Modeling", "Modeling", "#78909C", 2, forAsset},
			{"Modeling", "Shading", "#64B5F6", 3, forAsset},
			{"Animation", "Rigging", "#9CCC65", 4, forAsset},
			{"Concept", "Storyboard", "#43A047", 1, forShot},
			{"Layout", "Layout", "#7CB342", 2, forShot},
			{"Animation", "Animation", "#009688", 3, forShot},
			{"Compositing", "Lighting", "#F9A825", 4, forShot},
			{"FX", "FX", "#26C6DA", 5, forShot},
			{"Compositing", "Rendering", "#F06292", 6, forShot},
			{"Compositing", "Compositing", "#ff5252", 7, forShot},
			{"Compositing", "Edit", "#9b298c", 8, forEdit},
			{"Concept", "Concept", "#8D6E63", 1, forConcept},
		},
	},
	"2d": {
		assetTypes: []string{"Character", "Prop", "Background", "FX"},
		departments: []department{
			{"Concept", "#8D6E63"},
			{"Layout", "#7CB342"},
			{"Animation", "#009688"},
			{"Compositing", "#F06292"},
		},
		taskTypes: []taskType{
			{"Concept", "Concept", "#8D6E63", 1, forAsset},
			{"Concept", "Storyboard", "#43A047", 1, forShot},
			{"Layout", "Layout", "#7CB342", 2, forShot},
			{"Animation", "Animation", "#009688", 3, forShot},
			{"Animation", "Clean-up", "#4DB6AC", 4, forShot},
			{"Compositing", "Color", "#F9A825", 5, forShot},
			{"Compositing", "Compositing", "#ff5252", 6, forShot},
			{"Compositing", "Edit", "#9b298c", 7, forEdit},
			{"Concept", "Concept", "#8D6E63", 1, forConcept},
		},
	},
	"vfx": {
		assetTypes: []string{"Character", "Prop", "Environment", "FX", "Vehicle"},
		departments: []department{
			{"Modeling", "#78909C"},
			{"Animation", "#009688"},
			{"FX", "#26C6DA"},
			{"Compositing", "#F06292"},
			{"Concept", "#8D6E63"},
			{"Layout", "#7CB342"},
			{"Matchmove", "#5C6BC0"},
			{"DMP", "#8D6E63"},
		},
		taskTypes: []taskType{
			{"Concept", "Concept", "#8D6E63", 1, forAsset},
			{"Modeling", "Modeling", "#78909C", 2, forAsset},
			{"Modeling", "Shading", "#64B5F6", 3, forAsset},
			{"Animation", "Rigging", "#9CCC65", 4, forAsset},
			{"Matchmove", "Matchmove", "#5C6BC0", 1, forShot},
			{"Matchmove", "Rotomation", "#7986CB", 2, forShot},
			{"Concept", "Storyboard", "#43A047", 1, forShot},
			{"Layout", "Layout", "#7CB342", 2, forShot},
			{"Animation", "Animation", "#009688", 3, forShot},
			{"Compositing", "Lighting", "#F9A825", 4, forShot},
			{"FX", "FX", "#26C6DA", 5, forShot},
			{"Compositing", "Rendering", "#F06292", 6, forShot},
			{"Compositing", "Compositing", "#ff5252", 7, forShot},
			{"DMP", "DMP", "#A1887F", 8, forShot},
			{"Compositing", "Edit", "#9b298c", 9, forEdit},
			{"Concept", "Concept", "#8D6E63", 1, forConcept},
		},
	},
	"games": {
		assetTypes: []string{"Character", "Prop", "Environment", "FX", "UI"},
		departments: []department{
			{"Game Design", "#7B1FA2"},
			{"Level Design", "#00897B"},
			{"Character Art", "#78909C"},
			{"Environment Art", "#43A047"},
			{"Animation", "#009688"},
			{"VFX", "#26C6DA"},
			{"QA", "#E53935"},
		},
		taskTypes: []taskType{
			{"Game Design", "Game Design", "#7B1FA2", 1, forAsset},
			{"Level Design", "Level Design", "#00897B", 2, forAsset},
			{"Character Art", "Character Art", "#78909C", 3, forAsset},
			{"Environment Art", "Environment Art", "#43A047", 4, forAsset},
			{"Animation", "Animation", "#009688", 5, forAsset},
			{"VFX", "VFX", "#26C6DA", 6, forAsset},
			{"Character Art", "Concept", "#8D6E63", 1, forConcept},
			{"QA", "QA", "#E53935", 1, forShot},
		},
	},
}

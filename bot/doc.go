// Package bot is the domain of totuquan: users and roles, the area tree,
// invites, reports, conversation sessions, the neutral messages that chat
// platforms are translated into, the interfaces that the store and the
// platform adapters implement, and the dispatcher that ties an inbound
// message to its effects.
//
// It imports no adapter: no bbolt, no Telegram or Zalo client. The flow
// engine is reached through the FlowEngine interface so that package flows
// can depend on bot and not the other way round.
package bot

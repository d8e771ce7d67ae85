/**
 * Translation between a client's API and a provider's, with OpenAI chat as the hub: each
 * provider API knows how to take a chat request and give its answer back as chat; each client
 * API knows how to turn its request into chat and take a chat answer back. Any client × provider
 * pair is then the two halves composed (a half is the identity when its side speaks chat), and
 * adding an API is one entry in one of the two tables below.
 */
import type { Transform } from 'node:stream';
import type { Json } from '../lib/json.js';
import type { StyleId } from '../providers/types.js';
import type { Translation } from '../pipeline/types.js';
import type { Translated } from './shared.js';
import { chatToMessages, messagesResponseToChat, MessagesToChatStream } from './provider-anthropic.js';
import { chatToGemini, geminiResponseToChat, GeminiToChatStream } from './provider-gemini.js';
import { chatResponseToMessages, ChatToMessagesStream, messagesToChat } from './client-anthropic.js';
import { chatToResponse, ChatToResponsesStream, responsesToChat } from './client-responses.js';
import { HubSse, type FromChat, type ToChat } from './sse.js';

/** The APIs a client can speak to the unified endpoints (`openai` is chat completions). */
export type ClientApi = 'openai' | 'anthropic' | 'responses' | 'google';

/** A provider API seen from the hub. */
interface ProviderSide {
  request(chat: Json, model: string): Translated;
  /** Its JSON answer as a chat completion. */
  response(body: Json, model: string): Json;
  /** Its stream as chat chunk payloads (with the usage chunk when asked). */
  stream(model: string, includeUsage: boolean): ToChat;
}

/** A client API seen from the hub. */
interface ClientSide {
  /** The error and response shape it expects. */
  style: StyleId;
  request(req: Json, model: string): Translated;
  response(chat: Json, model: string): Json;
  stream(model: string): FromChat;
}

const PROVIDERS: Partial<Record<StyleId, ProviderSide>> = {
  anthropic: {
    request: chatToMessages,
    response: messagesResponseToChat,
    stream: (model, usage) => {
      const conv = new MessagesToChatStream(model, usage);
      return { event: (e, data) => conv.event(e, JSON.parse(data) as Json), end: () => [] };
    },
  },
  google: {
    request: (chat) => chatToGemini(chat),
    response: geminiResponseToChat,
    stream: (model, usage) => {
      const conv = new GeminiToChatStream(model, usage);
      return { event: (_e, data) => conv.chunkOf(JSON.parse(data) as Json), end: () => conv.end() };
    },
  },
};

const CLIENTS: Partial<Record<ClientApi, ClientSide>> = {
  anthropic: {
    style: 'anthropic',
    request: messagesToChat,
    response: chatResponseToMessages,
    stream: (model) => new ChatToMessagesStream(model),
  },
  responses: {
    style: 'openai',
    request: responsesToChat,
    response: chatToResponse,
    stream: (m) => new ChatToResponsesStream(m),
  },
};

/** A chat stream passed on as chat. */
const chatPassthrough = (): ToChat => ({ event: (_e, data) => [data], end: () => [] });

/**
 * The request in the provider's API and how to bring the answer back, or undefined when this
 * pair cannot be translated. `name` is the model as the client wrote it, echoed back.
 */
export function translate(client: ClientApi, provider: StyleId, req: Json, model: string, name: string) {
  if (client === provider) return { body: { ...req, model }, warnings: [] as string[] };
  const clientSide = client === 'openai' ? undefined : CLIENTS[client];
  const providerSide = provider === 'openai' ? undefined : PROVIDERS[provider];
  if ((client !== 'openai' && !clientSide) || (provider !== 'openai' && !providerSide)) return undefined;
  const chat = clientSide ? clientSide.request(req, model) : { body: { ...req, model }, warnings: [] };
  const out = providerSide ? providerSide.request(chat.body, model) : chat;
  // Between two translations the chat stream must carry usage; a chat client gets it only if it asked.
  const usage =
    clientSide !== undefined || (req.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const translation: Translation = {
    client: clientSide?.style ?? 'openai',
    model: name,
    json: (b) => {
      const asChat = providerSide ? providerSide.response(b, name) : b;
      return clientSide ? clientSide.response(asChat, name) : asChat;
    },
    stream: (): Transform[] => [
      new HubSse(providerSide ? providerSide.stream(name, usage) : chatPassthrough(), clientSide?.stream(name)),
    ],
  };
  return { body: out.body, warnings: chat === out ? chat.warnings : [...chat.warnings, ...out.warnings], translation };
}

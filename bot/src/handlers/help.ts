import type { BotAnswer } from '../channel';
import { helpText } from '../commands';
import { say } from './context';

/** 帮助: every command with one usage line. */
export function help(): BotAnswer {
  return say(helpText());
}

/** The pure scheduling domain of the candidate journey: work calendar, slot offers, rendering times and .ics. */
export * from './work-calendar';
export * from './slots';
export * from './render-time';
export * from './zoned-time';
